import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Compares `actual` with a golden file; `UPDATE_GOLDEN=1` rewrites the file instead. Returns the expected text. */
export async function golden(file: string, actual: string): Promise<string> {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, actual);
    return actual;
  }
  return readFile(file, 'utf8');
}
