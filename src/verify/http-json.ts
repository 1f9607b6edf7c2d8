import { VerifyError } from '../errors.ts';
import type { Dialer } from './dialer.ts';
import { httpGet } from './probes.ts';

/** GET url and parse its JSON; anything but HTTP 200 with JSON throws VerifyError (a failed check, not a crash). */
export async function getJson<T>(url: string, timeoutMs: number, dialer?: Dialer): Promise<T> {
  const { status, body } = await httpGet(url, timeoutMs, dialer);
  if (status !== 200) throw new VerifyError(`GET ${url}`, `HTTP ${status}${body.trim() ? `: ${body.trim().split('\n', 1)[0]}` : ''}`);
  try {
    return JSON.parse(body) as T;
  } catch (cause) {
    throw new VerifyError(`GET ${url}`, 'an answer that is not JSON', { cause });
  }
}

/** getJson, for an answer that must be a list. */
export async function getJsonArray<T>(url: string, timeoutMs: number, dialer?: Dialer): Promise<T[]> {
  const parsed = await getJson<unknown>(url, timeoutMs, dialer);
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
