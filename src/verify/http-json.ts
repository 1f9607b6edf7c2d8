import { VerifyError } from '../errors.ts';
import { TOKEN_HEADER } from '../remote/agent-client.ts';
import { hostPort } from './describe.ts';
import type { Dialer } from './dialer.ts';
import { httpGet, statusReason, type HttpAnswer, type HttpAuth } from './probes.ts';

/** GET url and parse its JSON; anything but HTTP 200 with JSON throws VerifyError (a failed check, not a crash). */
export async function getJson<T>(url: string, timeoutMs: number, auth?: HttpAuth, dialer?: Dialer): Promise<T> {
  return parseAnswer<T>(url, await httpGet(url, timeoutMs, auth, dialer));
}

/** getJson, but undefined for HTTP 404 (what Nomad answers for a job or allocation it does not have). */
export async function findJson<T>(
  url: string,
  timeoutMs: number,
  auth?: HttpAuth,
  dialer?: Dialer,
): Promise<T | undefined> {
  const answer = await httpGet(url, timeoutMs, auth, dialer);
  return answer.status === 404 ? undefined : parseAnswer<T>(url, answer);
}

function parseAnswer<T>(url: string, { status, body }: HttpAnswer): T {
  if (status !== 200) throw new VerifyError(`GET ${url}`, statusReason(status, body));
  try {
    return JSON.parse(body) as T;
  } catch (cause) {
    throw new VerifyError(`GET ${url}`, 'an answer that is not JSON', { cause });
  }
}

/** getJson, for an answer that must be a list. */
export async function getJsonArray<T>(url: string, timeoutMs: number, auth?: HttpAuth, dialer?: Dialer): Promise<T[]> {
  const parsed = await getJson<unknown>(url, timeoutMs, auth, dialer);
  if (!Array.isArray(parsed)) throw new VerifyError(`GET ${url}`, 'JSON that is not a list');
  return parsed as T[];
}

/** The value, or the VerifyError that stood in its way; other errors are bugs and propagate. */
export async function settle<T>(promise: Promise<T>): Promise<T | VerifyError> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof VerifyError) return error;
    throw error;
  }
}

/** The lab's credentials for its agents' APIs (`security` in the cluster file); none for an open lab. */
export interface AgentCredentials {
  consulToken?: string;
  nomadToken?: string;
  /** The lab CA and nomad-lab's client certificate: the APIs are HTTPS. */
  tls?: { ca: string; cert: string; key: string };
}

export { TOKEN_HEADER } from '../remote/agent-client.ts';

/** An agent's API base URL and what its requests carry. */
export function agentApi(
  address: string,
  port: number,
  product: 'consul' | 'nomad',
  credentials: AgentCredentials,
): { base: string; auth: HttpAuth } {
  const token = product === 'consul' ? credentials.consulToken : credentials.nomadToken;
  const header = TOKEN_HEADER[product];
  return {
    base: `${credentials.tls ? 'https' : 'http'}://${hostPort(address, port)}`,
    auth: { ...(token ? { headers: { [header]: token } } : {}), ...(credentials.tls ? { tls: credentials.tls } : {}) },
  };
}
