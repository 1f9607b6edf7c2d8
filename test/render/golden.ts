import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExecutionContext } from 'ava';

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead. */
export async function matchesGolden(t: ExecutionContext, actual: string, file: string): Promise<void> {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, actual);
  }
  const expected = await readFile(file, 'utf8').catch(() => `(missing golden file ${file}: run with UPDATE_GOLDEN=1)`);
  t.is(actual, expected, file);
}
