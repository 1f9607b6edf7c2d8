import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { NomadLabError } from '../errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../host/atomic-write.ts';

/** 32 bytes in base64, as `consul keygen` prints them. */
const KEY = /^[A-Za-z0-9+/]{43}=$/;

/** More than any key file needs; a larger file is not a key file. */
const MAX_BYTES = 1024;

/**
 * The lab's Consul gossip encryption key: made once, kept in the lab's state folder
 * (mode 0700) in a file of mode 0600, never printed. Same as `consul keygen`: 32 random
 * bytes, base64. A key file that is empty, readable by others, or not such a key is an
 * error that says how to fix it, never used or replaced silently.
 */
export async function ensureGossipKey(stateDir: string): Promise<string> {
  const file = join(stateDir, 'gossip.key');
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing;
  await ensurePrivateDir(stateDir);
  const key = randomBytes(32).toString('base64');
  // Another `up` may have made one meanwhile: then that one is the lab's key.
  if (await writeFileAtomic(file, `${key}\n`, { mode: 0o600, overwrite: false })) return key;
  return (await readKeyFile(file)) ?? key;
}

/** The key in `file`, undefined when there is no file; throws when the file is not a private, valid key. */
async function readKeyFile(file: string): Promise<string | undefined> {
  const problem = (what: string, fix: string) => new NomadLabError(`gossip key file ${file} ${what}: ${fix}`);
  const replace = 'remove it and `nomad-lab up` makes a new key (a lab already running needs `nomad-lab down` first, since its Consul agents hold the old one)';
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw problem('is a symlink', 'nomad-lab reads only a file of its own; replace the link with the file');
    throw new NomadLabError(`cannot read gossip key file ${file} (${code ?? String(error)})`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw problem('is not a regular file', replace);
    if ((stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw problem(`has mode ${mode}, so others on this machine can read the lab's key`, `run chmod 600 ${file}`);
    }
    if (stats.size > MAX_BYTES) throw problem(`has ${stats.size} bytes, not a key`, replace);
    const text = (await handle.readFile('utf8')).trim();
    if (text === '') throw problem('is empty', replace);
    if (!KEY.test(text)) throw problem('does not hold a gossip key (32 bytes in base64, as `consul keygen` prints)', `put the lab's key in it, or ${replace}`);
    return text;
  } finally {
    await handle.close();
  }
}
