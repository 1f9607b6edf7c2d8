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

/** Resolves once a TCP connection to address:port is established (from here, or from a node), then closes it; throws VerifyError otherwise. */
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

/**
 * GET url with node's http or https (no proxy from the environment: lab addresses are private), over a connection
 * from here or from a node, with `auth`'s headers and TLS; any status resolves, only no answer throws.
 */
export function httpGet(url: string, timeoutMs: number, auth: HttpAuth = {}, dialer: Dialer = DIRECT): Promise<HttpAnswer> {
  const subject = `GET ${url}${fromNode(dialer)}`;
  const abort = new AbortController();
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      abort.abort(new Error(reason));
      reject(new VerifyError(subject, reason, { cause }));
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
                  const socket = tls.connect({ socket: stream, servername: net.isIP(host) ? undefined : host, ...auth.tls });
                  socket.once('secureConnect', () => created(null, socket));
                  socket.once('error', (error) => created(error, undefined as never));
                },
                (error: unknown) => created(error as Error, undefined as never),
              );
              return undefined;
            },
          };
    const options = { headers: { accept: 'application/json, */*', ...auth.headers }, ...through };
    const onResponse = (response: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) fail(`a body over ${MAX_BODY_BYTES} bytes`);
        else chunks.push(chunk);
      });
      response.on('error', (error) => fail(errorText(error), error));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    };
    const request = secure ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    request.on('error', (error) => fail(errorText(error), error));
  });
}
