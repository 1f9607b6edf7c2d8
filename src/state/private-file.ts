import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { NomadLabError } from '../errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../host/atomic-write.ts';

/** More than any key, token or certificate file needs; a larger file is not one of ours. */
const MAX_BYTES = 64 * 1024;

/** A secret of the lab kept in its state folder: what it is called in messages, its form, how to make one. */
export interface SecretKind {
  /** File name in the state folder, e.g. `gossip.key`. */
  file: string;
  /** For messages: `gossip key`, `Nomad management token`; and `key` or `token`. */
  what: string;
  noun: string;
  /** What a valid value looks like, and how it is said in messages. */
  pattern: RegExp;
  form: string;
  /** What removing the file costs, said in every message that asks for it. */
  replace: string;
  make(): string;
}

/**
 * A lab secret: made once, kept in the lab's state folder (mode 0700) in a file of mode 0600, never printed.
 * A file that is empty, readable by others, a symlink or not such a value is an error that says how to fix
 * it, never used or replaced silently.
 */
export async function ensureSecret(stateDir: string, kind: SecretKind): Promise<string> {
  const file = join(stateDir, kind.file);
  const existing = await readSecret(file, kind);
  if (existing !== undefined) return existing;
  await ensurePrivateDir(stateDir);
  const value = kind.make();
  // Another `up` may have made one meanwhile: then that one is the lab's.
  if (await writeFileAtomic(file, `${value}\n`, { mode: 0o600, overwrite: false })) return value;
  return (await readSecret(file, kind)) ?? value;
}

/** The secret in the state folder, undefined when there is none; throws when the file is not a private, valid one. */
export function readLabSecret(stateDir: string, kind: SecretKind): Promise<string | undefined> {
  return readSecret(join(stateDir, kind.file), kind);
}

async function readSecret(file: string, kind: SecretKind): Promise<string | undefined> {
  const text = await readPrivateFile(file, kind.what, kind.replace, kind.noun);
  if (text === undefined) return undefined;
  const value = text.trim();
  if (value === '') throw secretProblem(file, kind.what, 'is empty', kind.replace);
  if (!kind.pattern.test(value))
    throw secretProblem(
      file,
      kind.what,
      `does not hold a ${kind.form}`,
      `put the lab's ${kind.noun} in it, or ${kind.replace}`,
    );
  return value;
}

function secretProblem(file: string, what: string, problem: string, fix: string): NomadLabError {
  return new NomadLabError(`${what} file ${file} ${problem}: ${fix}`);
}

/** A private file's text (mode 0600 or stricter, no symlink, a regular file), undefined when there is none. */
export async function readPrivateFile(
  file: string,
  what: string,
  replace: string,
  noun = what,
): Promise<string | undefined> {
  const problem = (text: string, fix: string) => secretProblem(file, what, text, fix);
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw problem('is a symlink', 'nomad-lab reads only a file of its own; replace the link with the file');
    throw new NomadLabError(`cannot read ${what} file ${file} (${code ?? String(error)})`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw problem('is not a regular file', replace);
    if ((stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw problem(`has mode ${mode}, so others on this machine can read the lab's ${noun}`, `run chmod 600 ${file}`);
    }
    if (stats.size > MAX_BYTES) throw problem(`has ${stats.size} bytes, not a ${what}`, replace);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
