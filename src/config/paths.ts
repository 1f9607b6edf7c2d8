import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** A path from a cluster file: `~/` is the user's home, anything else is relative to the file's folder. */
export function resolveFrom(baseDir: string, file: string): string {
  return file === '~' || file.startsWith('~/') ? join(homedir(), file.slice(1)) : resolve(baseDir, file);
}
