import { posix } from 'node:path';
import { NomadLabError } from '../errors.ts';
import { script } from '../remote/quote.ts';
import type { Remote } from '../remote/remote.ts';

export interface WantedDir {
  path: string;
  owner: string;
  /** Octal, as `stat -c %a` prints it: `750`. */
  mode: string;
}

/**
 * nomad-lab's own folders (/etc/consul.d, /opt/nomad, ...), created or corrected only where
 * mode or owner differ: the check and the fix run in one round trip, and the script prints
 * the paths it fixed.
 */
export async function ensureDirs(remote: Remote, dirs: readonly WantedDir[]): Promise<string[]> {
  if (dirs.length === 0) return [];
  const fixed = await remote.run(
    script(
      'while [ $# -gt 0 ]; do p=$1 o=$2 m=$3; shift 3; ' +
        '[ "$(stat -c "%a %U" "$p" 2>/dev/null)" = "$m $o" ] || { install -d -m "$m" -o "$o" -g "$o" "$p" && echo "$p"; }; done',
      dirs.flatMap((d) => [d.path, d.owner, d.mode]),
      `create ${dirs.map((d) => d.path).join(', ')}`,
    ),
    { sudo: true },
  );
  return fixed.stdout.split('\n').filter(Boolean);
}

export interface VolumeDirs {
  /** Folders made now. */
  made: string[];
  /** Folders that were there with another mode or owner, left as they are: `PATH (mode 700, owner alice)`. */
  kept: string[];
}

/**
 * Host volume folders: made when missing, and never changed when they exist, since a folder
 * nomad-lab did not make may belong to someone else. A path through a symlink, or to something
 * other than a folder, is an error: following it could hand a system folder to jobs.
 */
export async function ensureVolumeDirs(remote: Remote, paths: readonly string[], wanted: Omit<WantedDir, 'path'>): Promise<VolumeDirs> {
  const result: VolumeDirs = { made: [], kept: [] };
  if (paths.length === 0) return result;
  const normal = paths.map((p) => posix.normalize(p).replace(/(.)\/+$/, '$1'));
  const { stdout } = await remote.run(
    script(
      'o=$1 m=$2; shift 2; for p; do r=$(realpath -m -- "$p"); ' +
        'if [ "$r" != "$p" ]; then echo "symlink $p $r"; ' +
        'elif [ -d "$p" ]; then s=$(stat -c "%a %U" -- "$p"); [ "$s" = "$m $o" ] || echo "kept $p $s"; ' +
        'elif [ -e "$p" ]; then echo "notdir $p"; ' +
        'else install -d -m "$m" -o "$o" -g "$o" -- "$p" && echo "made $p"; fi; done',
      [wanted.owner, wanted.mode, ...normal],
      `create host volume folders ${normal.join(', ')}`,
    ),
    { sudo: true },
  );
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [what, path = '', ...rest] = line.split(' ');
    if (what === 'made') result.made.push(path);
    else if (what === 'kept') result.kept.push(`${path} (mode ${rest[0]}, owner ${rest[1]})`);
    else if (what === 'symlink') throw new NomadLabError(`[${remote.node}] host volume ${path} leads through a symlink to ${rest[0]}: nomad-lab neither follows nor replaces it; point the volume at a real folder`);
    else if (what === 'notdir') throw new NomadLabError(`[${remote.node}] host volume ${path} exists and is not a folder: remove it, or point the volume elsewhere`);
  }
  return result;
}
