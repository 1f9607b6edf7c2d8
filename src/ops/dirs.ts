import { script } from '../remote/quote.ts';
import type { Remote } from '../remote/remote.ts';

export interface WantedDir {
  path: string;
  owner: string;
  /** Octal, as `stat -c %a` prints it: `750`. */
  mode: string;
}

/**
 * Folders created or corrected only where mode or owner differ: the check and the fix run
 * in one round trip, and the script prints the paths it fixed.
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
