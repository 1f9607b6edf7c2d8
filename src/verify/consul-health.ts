import { hostPort } from './describe.ts';
import type { Dialer } from './dialer.ts';
import type { ConsulCheck, ConsulHealth } from './evaluate.ts';
import { getJsonArray } from './http-json.ts';

/** Consul's view of a service from its HTTP API at address:port: every health check, and how many instances pass. */
export async function fetchConsulHealth(address: string, port: number, service: string, timeoutMs: number, dialer?: Dialer): Promise<ConsulHealth> {
  const base = `http://${hostPort(address, port)}/v1/health`;
  const name = encodeURIComponent(service);
  const [checks, passing] = await Promise.all([
    getJsonArray<ConsulCheck>(`${base}/checks/${name}`, timeoutMs, dialer),
    getJsonArray<unknown>(`${base}/service/${name}?passing`, timeoutMs, dialer),
  ]);
  return { checks, passingInstances: passing.length };
}
