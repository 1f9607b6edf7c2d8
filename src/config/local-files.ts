import { constants, realpathSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, relative, sep } from 'node:path';

// Where a cluster file may point on this host. Job files and image tarballs are sent to the nodes (with the ssh
// provider, to hosts the file names), so they come from the cluster file's folder, or from a folder it lists under
// `files.allow_from`; never from a hidden folder (keys, tokens, the lab's own state) or a special file system.
// SSH keys and the artifacts folder are read here and never sent: anywhere, but regular files and folders.

/** Kernel file systems: their "files" are the state of a process or a device (/proc/self/environ), not data. */
const SPECIAL_TREES = ['/proc', '/sys', '/dev'];

/** What kind of thing is not a regular file, for messages. */
export function fileKind(
  stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>,
): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const inside = (root: string, path: string): string | undefined => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)) ? rel : undefined;
};

const hiddenSegment = (rel: string) => rel.split(sep).find((s) => s.startsWith('.') && s !== '.');

function realpathOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export interface LocalPath {
  /** The path as the file resolves it (`~/` expanded, relative to its folder). */
  full: string;
  what: string;
  kind: 'file' | 'folder';
  /** For a file: the most bytes it may have. */
  maxBytes?: number;
  /** For a file sent to the nodes: the folders (real paths) it may come from. */
  roots?: readonly { path: string; named: string }[];
}

/** Why a path from the cluster file cannot be used, or undefined when it can. Symlinks are followed first. */
export function localPathProblem({ full, what, kind, maxBytes, roots }: LocalPath): string | undefined {
  const notFound = `${what} not found: ${full} (paths are relative to the cluster file)`;
  const real = realpathOf(full);
  if (real === undefined) return notFound;
  const via = real === full ? '' : ` (it resolves to ${real})`;
  // The written path first: /proc/self resolves to a different folder in every process.
  const special = SPECIAL_TREES.find((tree) => inside(tree, full) !== undefined);
  const realSpecial = SPECIAL_TREES.find((tree) => inside(tree, real) !== undefined);
  if (special ?? realSpecial) {
    return (
      `${what} ${full}${special ? '' : via} is in ${special ?? realSpecial}, a kernel file system whose ` +
      `files are no data: name a ${kind === 'file' ? 'regular file' : 'folder'}`
    );
  }
  let stats: Stats;
  try {
    stats = statSync(real);
  } catch {
    return notFound;
  }
  if (kind === 'folder' ? !stats.isDirectory() : !stats.isFile()) {
    return `${what} ${full}${via} is ${fileKind(stats)}: name a ${kind === 'file' ? 'regular file' : 'folder'}`;
  }
  if (maxBytes !== undefined && stats.size > maxBytes) {
    return (
      `${what} ${full}${via} has ${stats.size} bytes, over ` +
      `the ${maxBytes / 1024} KiB it may have: is it ` +
      `the right file?`
    );
  }
  if (roots === undefined) return undefined;
  for (const root of roots) {
    const rel = inside(root.path, real);
    if (rel === undefined) continue;
    const hidden = hiddenSegment(rel);
    if (hidden)
      return (
        `${what} ${full}${via} is in the hidden folder "${hidden}" (keys, tokens and the lab's own state ` +
        `live in such folders), and it would be sent to the nodes: move it out`
      );
    return undefined;
  }
  return (
    `${what} ${full}${via} is outside ${roots[0]?.named ?? "the cluster file's " + 'folder'}, and it would be ` +
    `sent to the nodes: move it into that folder, or list its folder under files.allow_from`
  );
}

/** Why `full` cannot be listed under files.allow_from, or undefined when it can. */
export function allowedFolderProblem(full: string): string | undefined {
  const problem = localPathProblem({ full, what: 'folder', kind: 'folder' });
  if (problem) return problem;
  const real = realpathOf(full)!;
  const via = real === full ? '' : ` (it resolves to ${real})`;
  const home = homedir();
  if (real === '/') return `${full}${via} is the root of the file system: list the folder the jobs are in`;
  if (inside(real, home) !== undefined)
    return `${full}${via} holds your home folder: list the folder the jobs are in, not one above it`;
  const hidden = hiddenSegment(real);
  if (hidden)
    return (
      `${full}${via} is in the hidden folder "${hidden}" (keys, tokens and settings live in such folders): ` +
      `list a folder of its own for the jobs`
    );
  const system = ['/etc', '/root', '/boot', '/run', '/var/lib', '/var/log', '/usr'].find(
    (tree) => inside(tree, real) !== undefined,
  );
  if (system)
    return `${full}${via} is in ${system}, which belongs to the system: list a folder of its own for the jobs`;
  return undefined;
}

/** The cluster file's folder as files sent to the nodes are compared with it: its real path when it exists. */
export function realFolder(path: string): string {
  return realpathOf(path) ?? path;
}

export type BoundedRead = { text: string } | { kind: string } | { tooLarge: number | undefined };

/**
 * A file's text, once it is known to be a regular file of at most `maxBytes`: a FIFO would block, /dev/zero never
 * ends. Opening fails as fs does (ENOENT, EACCES); what opens but is no regular file, or is too large, is said.
 */
export async function readBounded(path: string, maxBytes: number): Promise<BoundedRead> {
  // Non-blocking, so opening a FIFO with no writer returns at once and fstat can refuse it.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: fileKind(stats) };
    if (stats.size > maxBytes) return { tooLarge: stats.size };
    // Read one byte past the limit, so a file that grew since fstat is caught too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let bytesRead = 0;
    while (bytesRead < buffer.length) {
      const { bytesRead: n } = await handle.read(buffer, bytesRead, buffer.length - bytesRead, bytesRead);
      if (n === 0) break;
      bytesRead += n;
    }
    if (bytesRead > maxBytes) return { tooLarge: undefined };
    return { text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}
