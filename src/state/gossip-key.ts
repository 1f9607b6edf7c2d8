import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The lab's Consul gossip encryption key: made once, kept in the lab's state folder
 * (mode 0600), never printed. Same as `consul keygen`: 32 random bytes, base64.
 */
export async function ensureGossipKey(stateDir: string): Promise<string> {
  const file = join(stateDir, 'gossip.key');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
