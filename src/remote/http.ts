import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { NomadLabError } from '../errors.ts';
import { DIRECT, fromNode, type Dialer } from './dialer.ts';

// HTTP(S) over a dialer: node's own connection from this host, or a channel a node opens (SSH direct-tcpip).
// The one transport of the agents' APIs and of verify's probes.

/** TLS of an HTTPS request: the CA to trust, the client certificate an API may ask for, the name to check. */
export interface HttpTls {
  ca: string;
  cert?: string;
  key?: string;
  /** The name the server's certificate must hold, when it is not the URL's host. */
  servername?: string;
}

export interface HttpOptions {
  /** GET when omitted. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** For https URLs. */
  tls?: HttpTls;
  /** From this host (DIRECT) when omitted. */
  dialer?: Dialer;
  /** How long to wait for the head of the answer (not the body); undefined waits as long as it takes. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** A request that got no answer (refused, a certificate not trusted, too slow): what was asked, where, and why. */
export class HttpError extends NomadLabError {
  override name = 'HttpError';

  constructor(
    /** `GET https://127.0.0.1:4646/v1/nodes from server1`. */
    readonly subject: string,
    /** `ECONNREFUSED`, `no answer within 2000 ms`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${reason}`, options);
  }
}

/** Bodies are read for JSON APIs and error details; anything bigger is not what we asked for. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A socket error in a few words: its code (`ECONNREFUSED`) when it has one, else its message. */
export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** errorText, but TLS in words: a code alone (`SELF_SIGNED_CERT_IN_CHAIN`) does not say which side refused what. */
function failureText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /CERT|SIGNATURE|ERR_TLS|ERR_SSL/.test(code) && error instanceof Error) {
    // OpenSSL's own lines (`...:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:...`): the words.
    const words = /SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? error.message;
    return `TLS: ${words} (${code})`;
  }
  return errorText(error);
}

/** `10.77.0.11:8600`, or `[::1]:8600`. */
export function hostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `HTTP 404: job not found`: a status and the first line of its body, for a failed request's message. */
export function statusReason(status: number, body: string): string {
  const text = body.trim();
  return `HTTP ${status}${text ? `: ${text.split('\n', 1)[0]}` : ''}`;
}

/**
 * One request with node's http or https (no proxy from the environment: lab addresses are private), over a connection
 * from here or from a node; any status resolves, only no answer throws HttpError.
 */
export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  return start<HttpAnswer>(url, options, (response, exchange) =>
    readBody(response, exchange, (body) => exchange.done({ status: response.statusCode ?? 0, body })),
  ).promise;
}

/**
 * A request as httpRequest makes it, handing each chunk of a 200 answer's body to `onData` as it comes (a log that is
 * followed never ends); resolves at the body's end, or at once when `signal` aborts. Another status throws HttpError
 * with the first line of its body.
 */
export async function httpStream(
  url: string,
  onData: (chunk: Buffer) => void,
  options: HttpOptions & { signal?: AbortSignal } = {},
): Promise<void> {
  const { signal } = options;
  const { promise, exchange } = start<void>(url, options, (response, exchange) => {
    const status = response.statusCode ?? 0;
    if (status !== 200) return readBody(response, exchange, (body) => exchange.fail(statusReason(status, body)));
    exchange.answered();
    response.on('data', onData);
    response.on('end', () => exchange.done());
  });
  const stop = () => exchange.done();
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await promise;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** One request under way, as its answer's reader sees it. */
interface Exchange<T> {
  /** Resolves with `value` and closes the connection. */
  done(value: T): void;
  /** Rejects with HttpError(`METHOD url`, reason) and closes the connection. */
  fail(reason: string, cause?: unknown): void;
  /** The answer has come: the timeout no longer applies. */
  answered(): void;
}

/** The body, at most MAX_BODY_BYTES, to `end` once it is all there. */
function readBody<T>(response: http.IncomingMessage, exchange: Exchange<T>, end: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) exchange.fail(`a body over ${MAX_BODY_BYTES} bytes`);
    else chunks.push(chunk);
  });
  response.on('end', () => end(Buffer.concat(chunks).toString('utf8')));
}

/**
 * Starts the request and hands the answer to `receive`; the first of done, fail and the timeout (none when undefined)
 * settles the promise, the others do nothing after it.
 */
function start<T>(
  url: string,
  options: HttpOptions,
  receive: (response: http.IncomingMessage, exchange: Exchange<T>) => void,
): { promise: Promise<T>; exchange: Exchange<T> } {
  const { method = 'GET', dialer = DIRECT, timeoutMs, body } = options;
  const subject = `${method} ${url}${fromNode(dialer)}`;
  const abort = new AbortController();
  let settle!: (outcome: { value: T } | { error: HttpError }) => void;
  const promise = new Promise<T>((resolve, reject) => {
    let settled = false;
    settle = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      // A connection still being opened (an SSH channel) is closed as it opens.
      abort.abort(new Error('value' in outcome ? 'done' : outcome.error.reason));
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
  });
  const exchange: Exchange<T> = {
    done: (value) => settle({ value }),
    fail: (reason, cause) => settle({ error: new HttpError(subject, reason, { cause }) }),
    answered: () => clearTimeout(timer),
  };
  const { hostname, port, protocol } = new URL(url);
  const secure = protocol === 'https:';
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const tlsOptions = secure && options.tls ? tlsFor(host, options.tls) : {};
  // The direct way keeps node's own connection (and its error codes); a node's connection is handed to http,
  // TLS started on it first for https. `agent: false` would make http ignore createConnection.
  const through: http.RequestOptions =
    dialer === DIRECT
      ? { agent: false, ...tlsOptions }
      : {
          createConnection: (_options, created) => {
            dialer.connect(host, Number(port || (secure ? 443 : 80)), abort.signal).then(
              (stream) => {
                if (!secure) return created(null, stream);
                // `host` is what the certificate is checked against; without it tls would check `localhost`.
                const socket = tls.connect({ socket: stream, host, ...tlsFor(host, options.tls) });
                socket.once('secureConnect', () => created(null, socket));
                socket.once('error', (error: Error) => created(error, undefined as never));
              },
              (error: unknown) => created(error as Error, undefined as never),
            );
            return undefined;
          },
        };
  const headers: Record<string, string> = {
    accept: 'application/json, */*',
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': `${Buffer.byteLength(body)}` }),
    ...options.headers,
  };
  const onResponse = (response: http.IncomingMessage) => {
    response.on('error', (error) => exchange.fail(errorText(error), error));
    receive(response, exchange);
  };
  const request = (secure ? https : http).request(url, { method, headers, ...through }, onResponse);
  const late = () => exchange.fail(`no answer within ${timeoutMs} ms`);
  const timer = timeoutMs === undefined ? undefined : setTimeout(late, timeoutMs);
  request.on('error', (error) => exchange.fail(failureText(error), error));
  request.end(body);
  return { promise, exchange };
}

/** tls.connect's options: the CA and client certificate, and the name to check (SNI only for a name, not an IP). */
function tlsFor(host: string, material: HttpTls | undefined): tls.ConnectionOptions {
  if (!material) return {};
  const { servername = host, ...pems } = material;
  return {
    ...pems,
    ...(net.isIP(servername) ? {} : { servername }),
    ...(servername === host ? {} : { checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername, cert) }),
  };
}
