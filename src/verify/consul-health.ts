import type { Dialer } from './dialer.ts';
import type { ConsulCheck } from '../remote/agent-types.ts';
import type { ConsulHealth } from './evaluate.ts';
import { agentApi, getJsonArray, type AgentCredentials } from './http-json.ts';

/**
 * Consul's view of a service from its HTTP API at address:port (from here, or from a node): every health check, and how
 * many instances pass.
 */
export async function fetchConsulHealth(
  address: string,
  port: number,
  service: string,
  timeoutMs: number,
  credentials: AgentCredentials = {},
  dialer?: Dialer,
): Promise<ConsulHealth> {
  const api = agentApi(address, port, 'consul', credentials);
  const base = `${api.base}/v1/health`;
  const name = encodeURIComponent(service);
  const [checks, passing] = await Promise.all([
    getJsonArray<ConsulCheck>(`${base}/checks/${name}`, timeoutMs, api.auth, dialer),
    getJsonArray<unknown>(`${base}/service/${name}?passing`, timeoutMs, api.auth, dialer),
  ]);
  return { checks, passingInstances: passing.length };
}
