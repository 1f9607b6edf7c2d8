import { createHash, type Hash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import { env } from '../env.ts';

export const IMAGES_DIR = join(PACKAGE_ROOT, 'images');

/**
 * A short hash of a recipe's content and settings: its files' names relative to `dir`, bytes and
 * executable bits, then the settings that change the result. Where the recipe lies does not count,
 * so every checkout of one commit gives one tag, and an image is rebuilt only when this changes.
 */
export async function recipeHash(
  dir: string,
  names: readonly string[],
  settings: readonly string[] = [],
): Promise<string> {
  const hash = createHash('sha256');
  for (const name of [...names].sort()) {
    const path = join(dir, name);
    const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
    // git keeps only the executable bit; the other mode bits come from each checkout's umask.
    field(hash, name);
    field(hash, info.mode & 0o111 ? '755' : '644');
    field(hash, bytes);
  }
  for (const setting of settings) field(hash, setting);
  return hash.digest('hex').slice(0, 12);
}

/** Length-prefixed, so no two different lists of fields hash alike. */
function field(hash: Hash, value: string | Buffer): void {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  hash.update(`${bytes.length}:`).update(bytes);
}

/** Labels on every image nomad-lab builds: only images carrying them are ever removed as old. */
export const RECIPE_LABEL = 'nomad-lab.recipe';
export const RECIPE_HASH_LABEL = 'nomad-lab.recipe-hash';

/** The labels as `key=value`, for `docker build --label` and a Dockerfile `LABEL` line. */
export function recipeLabels(recipe: string, hash: string): string[] {
  return [`${RECIPE_LABEL}=${recipe}`, `${RECIPE_HASH_LABEL}=${hash}`];
}

/** The Debian mirror apt uses on this host, so debootstrap reaches what apt reaches. */
export async function debianMirror(): Promise<string> {
  const explicit = env.debianMirror();
  if (explicit) return explicit;
  const deb822 = await readFile('/etc/apt/sources.list.d/debian.sources', 'utf8').catch(() => '');
  const fromDeb822 = /^URIs:\s*(\S+)/m.exec(deb822)?.[1];
  if (fromDeb822) return fromDeb822;
  const legacy = await readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  return /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(legacy)?.[1] ?? 'http://deb.debian.org/debian';
}
