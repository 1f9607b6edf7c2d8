import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { octal } from '../remote/put.ts';
import { script } from '../remote/quote.ts';
import type { UploadSource } from '../remote/remote.ts';
import type { Fact } from '../facts/fact.ts';
import { runChange, type Change, type PutChange, type WantedFile } from './change.ts';

/** A file as a node has it: absent, or its mode, owner, group, sha256 and (for text asked for) its content. */
export type FileState =
  { exists: false } | { exists: true; mode: number; owner: string; group: string; sha256: string; text?: string };

export type { WantedFile } from './change.ts';

/** Text-files only up to this size are read back for diffs. */
const MAX_TEXT = 256 * 1024;

/** Files at least this large have their sha256 remembered on the node, keyed by their stamp. */
export const HASH_CACHE_MIN = 1024 * 1024;
/** nomad-lab's cache folder on a node (`down` on existing hosts removes it). */
export const HASH_CACHE_ROOT = '/var/cache/nomad-lab';
/** Where a node keeps those sha256s: one file per path, `STAMP SHA256`. */
export const HASH_CACHE_DIR = `${HASH_CACHE_ROOT}/sha256`;

// The hash cache in shell, shared by the read and by the write after a put: `cache_of PATH` is its entry
// in $cachedir, `remember PATH STAMP SUM` writes that entry whole.
const HASH_CACHE_SH =
  `stamp_of() { stat -c '%d:%i:%s:%.9Z' -- "$1"; }
cache_of() { printf '%s/%s' "$cachedir" "$(printf %s "$1" | tr / %)"; }
remember() { c=$(cache_of "$1"); mkdir -p -m 700 "$cachedir" && printf '%s %s\\n' "$2" "$3" > "$c.$$" && mv -f ` +
  `-- "$c.$$" "$c"; }`;

// Per path: `-` when absent, else `MODE OWNER GROUP SHA256`, then for text paths a base64 line of the content.
// A large file (Consul and Nomad are 120 MB each) is hashed once: its sha256 is kept beside a stamp of
// device, inode, size and ctime (nanoseconds), and hashed again only when the stamp differs. No write,
// chmod, chown or rename leaves ctime as it was, and ctime cannot be set back, so a matching stamp means
// the same bytes, as git's index relies on. As in git, a file changed in the last 2 s is not remembered:
// ctime ticks coarsely, so a write in the same tick could leave the stamp as it was.
const READ_FILES = script(
  `n=$1; cachedir=$2; shift 2
${HASH_CACHE_SH}
i=0
for p in "$@"; do
  i=$((i + 1))
  if [ ! -e "$p" ]; then echo -; continue; fi
  size=$(stat -c %s -- "$p")
  sum=
  if [ "$size" -ge ${HASH_CACHE_MIN} ]; then
    stamp=$(stamp_of "$p")
    cache=$(cache_of "$p")
    if [ -f "$cache" ]; then read -r cached cachedsum < "$cache" || true; [ "$cached" = "$stamp" ] && [ ` +
    `\${#cachedsum} -eq 64 ] && sum=$cachedsum; fi
  fi
  if [ -z "$sum" ]; then
    sum=$(sha256sum -- "$p" | cut -d' ' -f1)
    if [ "$size" ` +
    `-ge ${HASH_CACHE_MIN} ] && [ $(($(date +%s) - $(stat -c %Z -- "$p"))) -ge 2 ]; then remember ` +
    `"$p" "$stamp" "$sum" || true; fi
  fi
  printf '%s %s\\n' "$(stat -c '%a %U %G' -- "$p")" "$sum"
  if [ "$i" -le "$n" ]; then
    if [ "$size" -le ${MAX_TEXT} ]; then base64 -w0 -- "$p"; fi
    echo
  fi
done`,
);

// Run right after nomad-lab wrote `path` itself with content of a known sha256: the file was renamed into place a
// moment ago, so the 2 s rule above would not remember it, but its content is known and no one else has had it.
const REMEMBER_HASH = script(
  `p=$1; sum=$2; cachedir=$3
${HASH_CACHE_SH}
remember "$p" "$(stamp_of "$p")" "$sum"`,
);

/**
 * The command that remembers the sha256 of a large file nomad-lab has just written, so the next run need not hash it.
 */
export function rememberHash(path: string, sha256: string, hashCache = HASH_CACHE_DIR) {
  return { ...REMEMBER_HASH, args: [path, sha256, hashCache], label: `remember the sha256 of ${path}` };
}

/**
 * States of `paths` in one command; the first `textCount` paths are text whose content is read back as well.
 * Large files' sha256s are remembered in `hashCache` on the node.
 */
export function fileStates(
  paths: readonly string[],
  textCount = 0,
  hashCache = HASH_CACHE_DIR,
): Fact<Map<string, FileState>> {
  return {
    command: { ...READ_FILES, args: [String(textCount), hashCache, ...paths], label: `read ${paths.join(', ')}` },
    sudo: true,
    parse(result) {
      if (result.exitCode !== 0)
        throw new Error(`exit ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
      const lines = result.stdout.split('\n');
      const states = new Map<string, FileState>();
      let at = 0;
      paths.forEach((path, i) => {
        const line = lines[at++] ?? '';
        if (line === '-') return states.set(path, { exists: false });
        const match = /^(\d+) (\S+) (\S+) ([0-9a-f]{64})$/.exec(line);
        if (!match) throw new Error(`unexpected line for ${path}: ${line.slice(0, 120)}`);
        const state: FileState = {
          exists: true,
          mode: Number.parseInt(match[1]!, 8),
          owner: match[2]!,
          group: match[3]!,
          sha256: match[4]!,
        };
        if (i < textCount) {
          const encoded = lines[at++] ?? '';
          if (encoded) state.text = Buffer.from(encoded, 'base64').toString('utf8');
        }
        return states.set(path, state);
      });
      return states;
    },
  };
}

/** States of wanted files in one command; only those with text (not secrets) are read back, for diffs. */
export function wantedFileStates(wanted: readonly WantedFile[]): Fact<Map<string, FileState>> {
  const texts = wanted.filter((f) => f.text !== undefined).map((f) => f.path);
  return fileStates([...texts, ...wanted.filter((f) => f.text === undefined).map((f) => f.path)], texts.length);
}

export async function sha256Of(source: UploadSource): Promise<string> {
  if (typeof source === 'string' || Buffer.isBuffer(source)) return createHash('sha256').update(source).digest('hex');
  if (source.sha256) return source.sha256.toLowerCase();
  const hash = createHash('sha256');
  // Streamed: a 130 MB binary is hashed without holding it in memory.
  for await (const chunk of createReadStream(source.localPath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A text file as wanted: its sha256 computed, its text kept for diffs unless it is a secret (tokens, keys). */
export function wantedText(file: {
  path: string;
  content: string;
  mode: number;
  owner?: string;
  group?: string;
  secret?: boolean;
}): WantedFile {
  const wanted: WantedFile = {
    ...owned(file),
    path: file.path,
    source: file.content,
    sha256: createHash('sha256').update(file.content).digest('hex'),
    mode: file.mode,
  };
  return file.secret ? wanted : { ...wanted, text: file.content };
}

function owned(file: { owner?: string | undefined; group?: string | undefined }): { owner?: string; group?: string } {
  return {
    ...(file.owner === undefined ? {} : { owner: file.owner }),
    ...(file.group === undefined ? {} : { group: file.group }),
  };
}

function chownSpec(file: { owner?: string | undefined; group?: string | undefined }): string {
  return `${file.owner ?? ''}${file.group === undefined ? '' : `:${file.group}`}`;
}

/**
 * What each file needs: nothing when content, mode and owner match; a chmod/chown when only they differ;
 * else the file written whole (with the diff for `plan`).
 */
export function planFiles(wanted: readonly WantedFile[], states: ReadonlyMap<string, FileState>): Change[] {
  return wanted.flatMap((file): Change[] => {
    const state = states.get(file.path) ?? { exists: false };
    if (state.exists && state.sha256 === file.sha256) {
      const ownerMatches =
        (file.owner === undefined || state.owner === file.owner) &&
        (file.group === undefined || state.group === file.group);
      if (state.mode === file.mode && ownerMatches) return [];
      return [
        runChange(
          `set mode ${octal(file.mode)}${chownSpec(file) ? ` and owner ${chownSpec(file)}` : ''} of ${file.path}`,
          [
            'sh',
            '-c',
            '{ [ -z "$1" ] || chown -h -- "$1" "$3"; } && chmod -- "$2" "$3"',
            'sh',
            chownSpec(file),
            octal(file.mode),
            file.path,
          ],
          {
            reason: `it is ${octal(state.mode)} ${state.owner}:${state.group}`,
          },
        ),
      ];
    }
    const put: PutChange = {
      kind: 'put',
      description: `wrote ${file.path} (${state.exists ? 'content' : 'new file'})`,
      reason: state.exists ? 'its content differs' : 'it does not exist',
      path: file.path,
      source: file.source,
      sha256: file.sha256,
      mode: file.mode,
      ...owned(file),
      ...(file.text === undefined ? {} : { diff: { before: state.exists ? state.text : undefined, after: file.text } }),
    };
    return [put];
  });
}

/** The paths a list of changes writes. */
export function writtenPaths(changes: readonly Change[]): Set<string> {
  return new Set(changes.flatMap((c) => (c.kind === 'put' ? [c.path] : [])));
}
