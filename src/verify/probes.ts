import { VerifyError } from '../errors.ts';
import { DIRECT, fromNode, type Dialer } from '../remote/dialer.ts';
import { HttpError, httpRequest, httpStream as streamBody, type HttpAnswer, type HttpTls } from '../remote/http.ts';
import { errorText, hostPort } from './describe.ts';

export { statusReason, type HttpAnswer } from '../remote/http.ts';

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
  tls?: HttpTls;
}

/**
 * GET url (remote/http.ts), over a connection from here or from a node, with `auth`'s headers and TLS; any status
 * resolves, only no answer throws VerifyError.
 */
export function httpGet(
  url: string,
  timeoutMs: number,
  auth: HttpAuth = {},
  dialer: Dialer = DIRECT,
): Promise<HttpAnswer> {
  return failedCheck(httpRequest(url, { timeoutMs, dialer, ...auth }));
}

/**
 * GET url as httpGet does, handing each chunk of a 200 answer's body to `onData` as it comes (a log that is
 * followed never ends); resolves at the body's end, or at once when `signal` aborts. `timeoutMs` bounds the wait
 * for the answer, not the body; undefined waits as long as it takes (a server may send nothing, not even the head
 * of its answer, until there is something to send). Another status throws VerifyError with the first line of its body.
 */
export function httpStream(
  url: string,
  timeoutMs: number | undefined,
  onData: (chunk: Buffer) => void,
  auth: HttpAuth = {},
  dialer: Dialer = DIRECT,
  signal?: AbortSignal,
): Promise<void> {
  return failedCheck(streamBody(url, onData, { timeoutMs, dialer, signal, ...auth }));
}

/** A request that got no answer is a failed check (VerifyError), not a crash. */
async function failedCheck<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof HttpError) throw new VerifyError(error.subject, error.reason, { cause: error.cause });
    throw error;
  }
}
