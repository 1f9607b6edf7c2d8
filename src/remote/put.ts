import { randomUUID } from 'node:crypto';
import { posix, relative, sep } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { RemoteCommandError } from '../errors.ts';
import { script } from './quote.ts';
import type { HostShare } from './endpoint.ts';
import type { ExecOptions, ExecResult, UploadOptions, UploadSource } from './remote.ts';
import type { Command } from './quote.ts';

/** What a put needs from its session. */
export interface PutContext {
  node: string;
  run(command: Command, options?: ExecOptions): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
  /** A directory the SSH user can write (its home), for the staging copy. */
  stagingDir(): Promise<string>;
  /** A host folder the node sees read-only: files in it are copied on the node, not uploaded. */
  hostShare?: HostShare;
}

// Install beside the target, then rename: readers see the old file or the new one, never half of it. A staging
// copy ($4 = 1) is removed afterwards; a file of the host share is only read.
const INSTALL = script(
  `src=$1 dest=$2 tmp=$3 staged=$4
shift 4
trap 'rm -f -- "$tmp"; if [ "$staged" = 1 ]; then rm -f -- "$src"; fi' EXIT
install "$@" -- "$src" "$tmp" && mv -f -- "$tmp" "$dest"`,
);

/** Where the node sees `source` through the host share, when it is a file inside it. */
function sharedPath(source: UploadSource, share: HostShare | undefined): string | undefined {
  if (share === undefined || typeof source === 'string' || Buffer.isBuffer(source)) return undefined;
  const inside = relative(share.hostDir, source.localPath);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`)) return undefined;
  return posix.join(share.nodeDir, ...inside.split(sep));
}

function writeStaging(sftp: SFTPWrapper, source: UploadSource, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (typeof source === 'string' || Buffer.isBuffer(source)) sftp.writeFile(path, source, { mode: 0o600 }, done);
    else sftp.fastPut(source.localPath, path, { mode: 0o600 }, done);
  });
}

function unlink(sftp: SFTPWrapper, path: string): Promise<void> {
  return new Promise((resolve) => sftp.unlink(path, () => resolve()));
}

export function octal(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new TypeError(`invalid file mode ${mode}`);
  return mode.toString(8).padStart(4, '0');
}

/**
 * Writes `source` to `remotePath` whole: a staging copy over SFTP (or, for a file of the host share, the node's
 * own view of it), then install beside the target and rename.
 */
export async function put(
  context: PutContext,
  source: UploadSource,
  remotePath: string,
  options: UploadOptions,
): Promise<void> {
  if (!posix.isAbsolute(remotePath)) throw new TypeError(`upload target must be an absolute path, got ${remotePath}`);
  const mode = octal(options.mode);
  const temporary = posix.join(
    posix.dirname(remotePath),
    `.${posix.basename(remotePath)}.nomad-lab-${randomUUID().slice(0, 8)}`,
  );
  const flags = [
    '-m',
    mode,
    ...(options.owner ? ['-o', options.owner] : []),
    ...(options.group ? ['-g', options.group] : []),
  ];
  const install = (from: string, staged: boolean) =>
    context.run(
      {
        ...INSTALL,
        args: [from, remotePath, temporary, staged ? '1' : '0', ...flags],
        label: `install -m ${mode} ${remotePath}`,
      },
      { sudo: options.sudo ?? true },
    );
  const shared = sharedPath(source, context.hostShare);
  if (shared !== undefined) {
    await install(shared, false);
    return;
  }
  const sftp = await context.sftp();
  const staging = posix.join(await context.stagingDir(), `.nomad-lab-upload-${randomUUID()}`);
  try {
    await writeStaging(sftp, source, staging);
  } catch (error) {
    await unlink(sftp, staging);
    const what = typeof source === 'object' && !Buffer.isBuffer(source) ? source.localPath : 'content';
    throw new RemoteCommandError(context.node, `sftp put ${what} ${staging}`, undefined, '', {
      cause: error,
      hint: `writing the staging copy failed: ${(error as Error).message}`,
    });
  }
  try {
    await install(staging, true);
  } finally {
    // The script removes it; this covers a script that never ran (sudo refused, connection lost).
    await unlink(sftp, staging);
  }
}
