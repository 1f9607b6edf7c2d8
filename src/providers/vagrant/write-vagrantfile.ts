import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../host/atomic-write.ts';

/** Writes `dir/Vagrantfile` only when its content differs; says whether it wrote. */
export async function writeVagrantfile(dir: string, content: string): Promise<boolean> {
  const file = join(dir, 'Vagrantfile');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await mkdir(dir, { recursive: true });
  // Atomic, so a vagrant running meanwhile never reads half a file.
  return writeFileAtomic(file, content, { mode: 0o644 });
}
