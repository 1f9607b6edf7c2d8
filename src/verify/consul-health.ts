import { VerifyError } from '../errors.ts';
import { hostPort } from './describe.ts';
import type { ConsulCheck, ConsulHealth } from './evaluate.ts';
import { httpGet } from './probes.ts';

/** Consul's view of a service from its HTTP API at address:port: every health check, and how many instances pass. */
export async function fetchConsulHealth(address: string, port: number, service: string, timeoutMs: number): Promise<ConsulHealth> {
  const base = `http://${hostPort(address, port)}/v1/health`;
  const name = encodeURIComponent(service);
  const [checks, passing] = await Promise.all([
    getJsonArray<ConsulCheck>(`${base}/checks/${name}`, timeoutMs),
    getJsonArray<unknown>(`${base}/service/${name}?passing`, timeoutMs),
  ]);
  return { checks, passingInstances: passing.length };
}

async function getJsonArray<T>(url: string, timeoutMs: number): Promise<T[]> {
  const { status, body } = await httpGet(url, timeoutMs);
  if (status !== 200) throw new VerifyError(`GET ${url}`, `HTTP ${status}${body.trim() ? `: ${body.trim().split('\n', 1)[0]}` : ''}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new VerifyError(`GET ${url}`, 'an answer that is not JSON', { cause });
  }
  if (!Array.isArray(parsed)) throw new VerifyError(`GET ${url}`, 'JSON that is not a list');
  return parsed as T[];
}
