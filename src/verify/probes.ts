import http from 'node:http';
import net from 'node:net';
import { VerifyError } from '../errors.ts';
import { errorText, hostPort } from './describe.ts';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Bodies are read for JSON APIs and error details; anything bigger is not what we asked for. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Resolves once a TCP connection to address:port is established, then closes it; throws VerifyError otherwise. */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<void> {
  const subject = `TCP connect to ${hostPort(address, port)}`;
  return new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
    const fail = (reason: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new VerifyError(subject, reason, { cause }));
    };
    socket.on('error', (error) => fail(errorText(error), error));
    socket.on('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
  });
}

/** GET url with node's http (no proxy from the environment: lab addresses are private); any status resolves, only no answer throws. */
export function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  const subject = `GET ${url}`;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new VerifyError(subject, reason, { cause }));
    };
    const request = http.get(url, { agent: false, headers: { accept: 'application/json, */*' } }, (response) => {
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
    });
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    request.on('error', (error) => fail(errorText(error), error));
  });
}
