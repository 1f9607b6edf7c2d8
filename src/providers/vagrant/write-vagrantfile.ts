import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `dir/Vagrantfile` only when its content differs; says whether it wrote. */
export async function writeVagrantfile(dir: string, content: string): Promise<boolean> {
  const file = join(dir, 'Vagrantfile');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await mkdir(dir, { recursive: true });
  // Rename, so a vagrant running meanwhile never reads half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
  return true;
}
