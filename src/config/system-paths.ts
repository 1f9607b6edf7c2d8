import { posix } from 'node:path';

// A host volume is created as root (when missing) and offered to jobs read-write, so it must
// never be a folder the system or a user already relies on.

/** Top-level folders of a Linux system (FHS), refused as host volumes themselves. */
const TOP_LEVEL = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'gnu',
  'home',
  'media',
  'mnt',
  'nix',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'snap',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
]);

/**
 * Trees refused whole, and whose they are: the system's files and per-boot state, root's home, Consul's and Nomad's
 * data.
 */
const SYSTEM_TREES: Record<string, string> = {
  ...Object.fromEntries(
    [
      '/bin',
      '/boot',
      '/dev',
      '/etc',
      '/proc',
      '/root',
      '/run',
      '/sbin',
      '/sys',
      '/tmp',
      '/usr',
      '/var/backups',
      '/var/cache',
      '/var/lib',
      '/var/lock',
      '/var/log',
      '/var/mail',
      '/var/run',
      '/var/spool',
      '/var/tmp',
    ].map((tree) => [tree, 'the system']),
  ),
  '/nix': 'Nix (its store and database)',
  '/gnu': 'Guix (its store)',
  '/snap': 'snapd (mounted snap packages)',
  '/var/snap': "snapd (the snaps' data)",
  '/opt/consul': 'Consul (its data folder)',
  '/opt/nomad': 'Nomad (its data folder)',
};

const EXAMPLE = '/srv/nomad/data';

/** Why `path` cannot be a host volume, or undefined when it can. */
export function systemPathProblem(path: string): string | undefined {
  const normal = posix.normalize(path).replace(/(.)\/+$/, '$1');
  const segments = normal.split('/').filter(Boolean);
  const fix = `give the volume a folder of its own, like ${EXAMPLE}`;
  if (segments.length === 0) return `is the root of the file system: ${fix}`;
  const top = segments[0]!;
  if (segments.length === 1 && (TOP_LEVEL.has(top) || top.startsWith('lib')))
    return `is a top-level system folder: ${fix}`;
  const tree = top.startsWith('lib')
    ? `/${top}`
    : Object.keys(SYSTEM_TREES).find((t) => normal === t || normal.startsWith(`${t}/`));
  if (tree) return `is in ${tree}, which belongs to ${SYSTEM_TREES[tree] ?? 'the system'}: ${fix}`;
  if (top === 'home' && segments.length === 2) return `is a user's home folder: ${fix}`;
  const hidden = segments.find((s) => s.startsWith('.'));
  if (hidden) return `is in the hidden folder "${hidden}" (keys and settings live in such folders): ${fix}`;
  return undefined;
}
