import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { RemoteCommandError } from '../errors.ts';
import { script } from './quote.ts';
import type { ExecOptions, ExecResult, UploadOptions, UploadResult, UploadSource } from './remote.ts';
import type { Command } from './quote.ts';

/** What an upload needs from its session. */
export interface UploadContext {
  node: string;
  run(command: Command, options?: ExecOptions): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
  /** A directory the SSH user can write (its home), for the staging copy. */
  stagingDir(): Promise<string>;
}

/** A remote file as read before writing: absent, or its mode (octal), owner, group and sha256. */
export type FileFacts = { exists: false } | { exists: true; mode: number; owner: string; group: string; sha256: string };

const READ_FACTS = script(
  `[ -e "$1" ] || exit 0
stat -c '%a %U %G' -- "$1" && sha256sum -- "$1"`,
);

// Install beside the target, then rename: readers see the old file or the new one, never half of it.
const INSTALL = script(
  `src=$1 dest=$2 tmp=$3
shift 3
trap 'rm -f -- "$src" "$tmp"' EXIT
install "$@" -- "$src" "$tmp" && mv -f -- "$tmp" "$dest"`,
);

const FIX_ATTRIBUTES = script(`{ [ -z "$2" ] || chown -- "$2" "$3"; } && chmod "$1" -- "$3"`);

export function parseFileFacts(stdout: string): FileFacts {
  const lines = stdout.trim().split('\n');
  if (lines.length < 2) return { exists: false };
  const [mode, owner, group] = lines[0]!.trim().split(/\s+/);
  const sha256 = /^[0-9a-f]{64}/.exec(lines[1]!)?.[0];
  if (mode === undefined || owner === undefined || group === undefined || sha256 === undefined) {
    throw new TypeError(`unexpected output from stat/sha256sum: ${stdout.slice(0, 200)}`);
  }
  return { exists: true, mode: Number.parseInt(mode, 8), owner, group, sha256 };
}

export function octal(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new TypeError(`invalid file mode ${mode}`);
  return mode.toString(8).padStart(4, '0');
}

async function sha256Of(source: UploadSource): Promise<string> {
  if (typeof source === 'string' || Buffer.isBuffer(source)) return createHash('sha256').update(source).digest('hex');
  if (source.sha256) return source.sha256.toLowerCase();
  const hash = createHash('sha256');
  // Streamed: a 130 MB binary is hashed without holding it in memory.
  for await (const chunk of createReadStream(source.localPath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function chownSpec(options: UploadOptions): string {
  if (options.owner && options.group) return `${options.owner}:${options.group}`;
  if (options.owner) return options.owner;
  return options.group ? `:${options.group}` : '';
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

/** Uploads `source` to `remotePath` unless the file there already has its sha256, mode and owner. */
export async function upload(
  context: UploadContext,
  source: UploadSource,
  remotePath: string,
  options: UploadOptions,
): Promise<UploadResult> {
  if (!posix.isAbsolute(remotePath)) throw new TypeError(`upload target must be an absolute path, got ${remotePath}`);
  const mode = octal(options.mode);
  const sudo = options.sudo ?? true;
  const [wanted, before] = await Promise.all([
    sha256Of(source),
    context.run({ ...READ_FACTS, args: [remotePath], label: `read sha256 of ${remotePath}` }, { sudo }),
  ]);
  const facts = parseFileFacts(before.stdout);

  if (facts.exists && facts.sha256 === wanted) {
    const attributesMatch =
      facts.mode === options.mode &&
      (options.owner === undefined || facts.owner === options.owner) &&
      (options.group === undefined || facts.group === options.group);
    if (attributesMatch) return { changed: false, reason: 'already up to date' };
    await context.run(
      { ...FIX_ATTRIBUTES, args: [mode, chownSpec(options), remotePath], label: `set mode ${mode} of ${remotePath}` },
      { sudo },
    );
    return { changed: true, reason: 'mode/owner' };
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

  const temporary = posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.nomad-lab-${randomUUID().slice(0, 8)}`);
  const flags = ['-m', mode, ...(options.owner ? ['-o', options.owner] : []), ...(options.group ? ['-g', options.group] : [])];
  try {
    await context.run(
      { ...INSTALL, args: [staging, remotePath, temporary, ...flags], label: `install -m ${mode} ${remotePath}` },
      { sudo },
    );
  } finally {
    // The script removes it; this covers a script that never ran (sudo refused, connection lost).
    await unlink(sftp, staging);
  }
  return { changed: true, reason: facts.exists ? 'content' : 'new file' };
}
