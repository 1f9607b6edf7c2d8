import { posix } from 'node:path';
import { NomadLabError } from '../errors.ts';
import type { Fact } from '../facts/fact.ts';
import { script } from '../remote/quote.ts';
import { runChange, type Change } from './change.ts';

export interface WantedDir {
  path: string;
  owner: string;
  /** Octal, as `stat -c %a` prints it: `750`. */
  mode: string;
}

/** `MODE OWNER` of each path, or undefined when it does not exist. */
export function dirStates(paths: readonly string[]): Fact<Map<string, string | undefined>> {
  return {
    command: script(
      'for p in "$@"; do stat -c "%a %U" -- "$p" 2>/dev/null || echo -; done',
      paths,
      `stat ${paths.join(', ')}`,
    ),
    parse(result) {
      const lines = result.stdout.split('\n');
      return new Map(
        paths.map((p, i) => [p, lines[i] === '-' || lines[i] === undefined ? undefined : lines[i].trim()]),
      );
    },
  };
}

/** nomad-lab's own folders (/etc/consul.d, /opt/nomad, ...): created, or corrected where mode or owner differ. */
export function planDirs(dirs: readonly WantedDir[], states: ReadonlyMap<string, string | undefined>): Change[] {
  return dirs.flatMap((d) => {
    const state = states.get(d.path);
    if (state === `${d.mode} ${d.owner}`) return [];
    return [
      runChange(
        `${state === undefined ? 'made' : 'fixed mode and owner of'} ${d.path}`,
        ['install', '-d', '-m', d.mode, '-o', d.owner, '-g', d.owner, d.path],
        {
          reason: state === undefined ? 'it does not exist' : `it is ${state}`,
        },
      ),
    ];
  });
}

/** A host volume path as the node has it. */
export type VolumeState =
  | { kind: 'missing' }
  | { kind: 'dir'; mode: string; owner: string }
  | { kind: 'symlink'; target: string }
  | { kind: 'notdir' };

/** Host volume paths as they are compared on the node with their resolved form: normalised, no trailing slash. */
export function normalVolumePath(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

/** What each host volume path is: a folder (mode, owner), missing, a path through a symlink, or not a folder. */
export function volumeStates(paths: readonly string[]): Fact<Map<string, VolumeState>> {
  return {
    command: script(
      'for p; do r=$(realpath -m -- "$p"); ' +
        'if [ "$r" != "$p" ]; then echo "symlink $r"; ' +
        'elif [ -d "$p" ]; then echo "dir $(stat -c "%a %U" -- "$p")"; ' +
        'elif [ -e "$p" ]; then echo notdir; else echo missing; fi; done',
      paths,
      `stat host volume folders ${paths.join(', ')}`,
    ),
    parse(result) {
      const lines = result.stdout.split('\n');
      return new Map(
        paths.map((p, i): [string, VolumeState] => {
          const [kind, a = '', b = ''] = (lines[i] ?? '').split(' ');
          if (kind === 'dir') return [p, { kind, mode: a, owner: b }];
          if (kind === 'symlink') return [p, { kind, target: a }];
          if (kind === 'notdir' || kind === 'missing') return [p, { kind }];
          throw new Error(`unexpected line for ${p}: ${lines[i]}`);
        }),
      );
    },
  };
}

/**
 * Host volume folders: made when missing, and never changed when they exist, since a folder nomad-lab did not
 * make may belong to someone else (those are returned as `kept`). A path through a symlink, or to something other
 * than a folder, is an error: following it could hand a system folder to jobs.
 */
export function planVolumeDirs(
  node: string,
  paths: readonly string[],
  wanted: Omit<WantedDir, 'path'>,
  states: ReadonlyMap<string, VolumeState>,
): { changes: Change[]; kept: string[] } {
  const changes: Change[] = [];
  const kept: string[] = [];
  for (const path of paths) {
    const state = states.get(path) ?? { kind: 'missing' };
    if (state.kind === 'symlink')
      throw new NomadLabError(
        `[${node}] host volume ${path} leads through a symlink to ${state.target}: nomad-lab neither follows ` +
          `nor replaces it; point the volume at a real folder`,
      );
    if (state.kind === 'notdir')
      throw new NomadLabError(
        `[${node}] host volume ${path} exists and is not a folder: remove it, or point the volume elsewhere`,
      );
    if (state.kind === 'missing') {
      changes.push(
        runChange(
          `made host volume folder ${path}`,
          ['install', '-d', '-m', wanted.mode, '-o', wanted.owner, '-g', wanted.owner, '--', path],
          { reason: 'it does not exist' },
        ),
      );
    } else if (state.mode !== wanted.mode || state.owner !== wanted.owner) {
      kept.push(`${path} (mode ${state.mode}, owner ${state.owner})`);
    }
  }
  return { changes, kept };
}
