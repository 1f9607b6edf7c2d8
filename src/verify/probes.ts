import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { VerifyError } from '../errors.ts';
import { errorText, hostPort } from './describe.ts';
import { DIRECT, fromNode, type Dialer } from './dialer.ts';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Bodies are read for JSON APIs and error details; anything bigger is not what we asked for. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Resolves once a TCP connection to address:port is established (from here, or from a node), then closes it; throws
 * VerifyError otherwise.
 */
export function tcpConnect(address: string, port: number, timeoutMs: number, dialer: Dialer = DIRECT): Promise<void> {
  const subject = `TCP connect to ${hostPort(address, port)}${fromNode(dialer)}`;
  return new Promise<void>((resolve, reject) => {
    const abort = new AbortController();
    let settled = false;
    const timer = setTimeout(() => {
      fail(`no connection within ${timeoutMs} ms`);
      abort.abort(new Error('timed out'));
    }, timeoutMs);
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new VerifyError(subject, reason, { cause }));
    };
    dialer.connect(address, port, abort.signal).then(
      (stream) => {
        stream.destroy();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => fail(errorText(error), error),
    );
  });
}

/** What an agent's API may ask of a request: a token header, and for HTTPS the lab CA and a client certificate. */
export interface HttpAuth {
  headers?: Record<string, string>;
  /** The CA to trust and, for an API that asks for one, the client certificate and key. */
  tls?: { ca: string; cert?: string; key?: string };
}

/** `HTTP 404: job not found`: a status and the first line of its body, for a failed request's message. */
export function statusReason(status: number, body: string): string {
  const text = body.trim();
  return `HTTP ${status}${text ? `: ${text.split('\n', 1)[0]}` : ''}`;
}

/**
 * GET url with node's http or https (no proxy from the environment: lab addresses are private), over a connection
 * from here or from a node, with `auth`'s headers and TLS; any status resolves, only no answer throws.
 */
export function httpGet(
  url: string,
  timeoutMs: number,
  auth: HttpAuth = {},
  dialer: Dialer = DIRECT,
): Promise<HttpAnswer> {
  return startGet<HttpAnswer>(url, timeoutMs, auth, dialer, (response, exchange) =>
    readBody(response, exchange, (body) => exchange.done({ status: response.statusCode ?? 0, body })),
  ).promise;
}

/**
 * GET url as httpGet does, handing each chunk of a 200 answer's body to `onData` as it comes (a log that is
 * followed never ends); resolves at the body's end, or at once when `signal` aborts. `timeoutMs` bounds the wait
 * for the answer, not the body; undefined waits as long as it takes (a server may send nothing, not even the head
 * of its answer, until there is something to send). Another status throws VerifyError with the first line of its body.
 */
export async function httpStream(
  url: string,
  timeoutMs: number | undefined,
  onData: (chunk: Buffer) => void,
  auth: HttpAuth = {},
  dialer: Dialer = DIRECT,
  signal?: AbortSignal,
): Promise<void> {
  const { promise, exchange } = startGet<void>(url, timeoutMs, auth, dialer, (response, exchange) => {
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

/** One GET under way, as its answer's reader sees it. */
interface Exchange<T> {
  /** Resolves with `value` and closes the connection. */
  done(value: T): void;
  /** Rejects with VerifyError(`GET url`, reason) and closes the connection. */
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
 * Starts GET url and hands the answer to `receive`; the first of done, fail and the timeout (none when undefined)
 * settles the promise, the others do nothing after it.
 */
function startGet<T>(
  url: string,
  timeoutMs: number | undefined,
  auth: HttpAuth,
  dialer: Dialer,
  receive: (response: http.IncomingMessage, exchange: Exchange<T>) => void,
): { promise: Promise<T>; exchange: Exchange<T> } {
  const subject = `GET ${url}${fromNode(dialer)}`;
  const abort = new AbortController();
  let settle!: (outcome: { value: T } | { error: VerifyError }) => void;
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
    fail: (reason, cause) => settle({ error: new VerifyError(subject, reason, { cause }) }),
    answered: () => clearTimeout(timer),
  };
  const { hostname, port, protocol } = new URL(url);
  const secure = protocol === 'https:';
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  // The direct way keeps node's own connection (and its error codes); a node's connection is handed to http,
  // TLS started on it first for https. `agent: false` would make http ignore createConnection.
  const through: http.RequestOptions =
    dialer === DIRECT
      ? { agent: false, ...(secure ? auth.tls : {}) }
      : {
          createConnection: (_options, created) => {
            dialer.connect(host, Number(port || (secure ? 443 : 80)), abort.signal).then(
              (stream) => {
                if (!secure) return created(null, stream);
                const socket = tls.connect({
                  socket: stream,
                  servername: net.isIP(host) ? undefined : host,
                  ...auth.tls,
                });
                socket.once('secureConnect', () => created(null, socket));
                socket.once('error', (error: Error) => created(error, undefined as never));
              },
              (error: unknown) => created(error as Error, undefined as never),
            );
            return undefined;
          },
        };
  const options = { headers: { accept: 'application/json, */*', ...auth.headers }, ...through };
  const onResponse = (response: http.IncomingMessage) => {
    response.on('error', (error) => exchange.fail(errorText(error), error));
    receive(response, exchange);
  };
  const request = secure ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
  const late = () => exchange.fail(`no answer within ${timeoutMs} ms`);
  const timer = timeoutMs === undefined ? undefined : setTimeout(late, timeoutMs);
  request.on('error', (error) => exchange.fail(errorText(error), error));
  return { promise, exchange };
}
