import { execa } from 'execa';
import { commandError, probe, run } from '../host/run.ts';

export async function imageExists(tag: string): Promise<boolean> {
  return (await probe('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).ok;
}

export async function imageSize(tag: string): Promise<number> {
  return Number(await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]));
}

/** `docker import`s a root folder as an image, with Dockerfile-style `changes`; returns the image id. */
export async function importRoot(root: string, changes: readonly string[], tag?: string): Promise<string> {
  const args = ['import', ...changes.flatMap((c) => ['--change', c]), '-', ...(tag ? [tag] : [])];
  const result = await execa('tar', ['--numeric-owner', '-C', root, '-c', '.'], { reject: false, buffer: false }).pipe(
    'docker',
    args,
    { reject: false },
  );
  if (result.failed) throw commandError(result);
  return String(result.stdout).trim();
}

/**
 * Adds what `docker import` cannot set (daemon 20.10 refuses STOPSIGNAL there) with a
 * one-line build from the local image: no registry is involved.
 */
export async function finishImage(from: string, tag: string, lines: readonly string[]): Promise<void> {
  await run('docker', ['build', '-q', '-t', tag, '-'], { input: [`FROM ${from}`, ...lines, ''].join('\n') });
}
