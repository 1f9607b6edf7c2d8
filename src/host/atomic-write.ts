import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `file` whole or not at all: the content goes to a temporary file beside it with an
 * unpredictable name, created exclusively (`wx`: never through a symlink, never someone
 * else's file), then takes the file's place. A symlink at `file` is replaced, not followed.
 * With `overwrite: false` an existing `file` is kept and false is returned.
 */
export async function writeFileAtomic(
  file: string,
  content: string,
  options: { mode: number; overwrite?: boolean },
): Promise<boolean> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(content);
      // The mode given to open is masked by the umask; the file must have exactly this one.
      await handle.chmod(options.mode);
    } finally {
      await handle.close();
    }
    if (options.overwrite === false) {
      // link fails with EEXIST instead of replacing: creation without a race.
      try {
        await link(temporary, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
      return true;
    }
    await rename(temporary, file);
    return true;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** A folder only its owner can enter, made with its parents when missing: the lab's state holds keys. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
