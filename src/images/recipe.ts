import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';

export const IMAGES_DIR = join(PACKAGE_ROOT, 'images');

/** A short content hash of a recipe's files and settings: an image is rebuilt only when it changes. */
export async function recipeHash(files: readonly string[], settings: readonly string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(await readFile(file)).update('\0');
  for (const setting of settings) hash.update(setting).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The Debian mirror apt uses on this host, so debootstrap reaches what apt reaches. */
export async function debianMirror(): Promise<string> {
  const explicit = process.env['NOMAD_LAB_DEBIAN_MIRROR'];
  if (explicit) return explicit;
  const deb822 = await readFile('/etc/apt/sources.list.d/debian.sources', 'utf8').catch(() => '');
  const fromDeb822 = /^URIs:\s*(\S+)/m.exec(deb822)?.[1];
  if (fromDeb822) return fromDeb822;
  const legacy = await readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  return /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(legacy)?.[1] ?? 'http://deb.debian.org/debian';
}
