import { RemoteCommandError, tail } from '../errors.ts';
import { commandLine, displayCommand, script, type Command, type Script } from '../remote/quote.ts';
import { readFact, type ExecResult, type Fact, type FactReader } from './fact.ts';

/** Named facts, read together: `{ unit: unitState('consul'), files: fileStates([...]) }`. */
export type FactSet<T> = { [K in keyof T]: Fact<T[K]> };

const LABEL = 'read facts';

// Each command runs in its own shell with stdin closed; for each, a header `EXIT OUT_BYTES ERR_BYTES`, then
// its stdout and stderr, byte for byte. One round trip for every fact a step needs.
const BATCH = `t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
for c in "$@"; do
  sh -c "$c" >"$t/o" 2>"$t/e" </dev/null
  printf '%s %s %s\\n' "$?" "$(wc -c <"$t/o")" "$(wc -c <"$t/e")"
  cat "$t/o" "$t/e"
done`;

/** The one command that reads every fact of the set; run as root when any of them needs it. */
export function batchCommand(facts: readonly Fact<unknown>[]): Script {
  return script(
    BATCH,
    facts.map((f) => commandLine(f.command)),
    `${LABEL} (${facts.length})`,
  );
}

/** A batch of fact commands, as a fake node sees it: the command line of each fact. */
export function batchLines(command: Command): string[] | undefined {
  return !Array.isArray(command) && (command as Script).label?.startsWith(LABEL)
    ? [...((command as Script).args ?? [])]
    : undefined;
}

/** What the batch script prints for these results; the inverse of parseBatch (fakes use it to answer a batch). */
export function encodeBatch(results: readonly ExecResult[]): string {
  return results
    .map((r) => `${r.exitCode} ${Buffer.byteLength(r.stdout)} ${Buffer.byteLength(r.stderr)}\n${r.stdout}${r.stderr}`)
    .join('');
}

export function parseBatch(stdout: string, count: number): ExecResult[] {
  const bytes = Buffer.from(stdout, 'utf8');
  const results: ExecResult[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const eol = bytes.indexOf(0x0a, at);
    const header = /^(\d+) (\d+) (\d+)$/.exec(
      bytes
        .subarray(at, eol < 0 ? at : eol)
        .toString('latin1')
        .trim(),
    );
    if (eol < 0 || !header) throw new Error(`fact ${i + 1} of ${count}: no header in the batch output at byte ${at}`);
    const [outBytes, errBytes] = [Number(header[2]), Number(header[3])];
    const outStart = eol + 1;
    const errStart = outStart + outBytes;
    at = errStart + errBytes;
    if (at > bytes.length) throw new Error(`fact ${i + 1} of ${count}: the batch output ends early`);
    results.push({
      exitCode: Number(header[1]),
      stdout: bytes.subarray(outStart, errStart).toString('utf8'),
      stderr: bytes.subarray(errStart, at).toString('utf8'),
    });
  }
  return results;
}

/** Reads every fact of the set in one round trip, each parsed by its own parser; a set of one is read as it is. */
export async function readFacts<T>(node: FactReader, facts: FactSet<T>): Promise<T> {
  const keys = Object.keys(facts) as (keyof T)[];
  const list = keys.map((k) => facts[k] as Fact<unknown>);
  if (list.length === 1) return { [keys[0]!]: await readFact(node, list[0]!) } as T;
  if (list.length === 0) return {} as T;
  const command = batchCommand(list);
  const result = await node.exec(command, { sudo: list.some((f) => f.sudo) });
  if (result.exitCode !== 0) {
    throw new RemoteCommandError(
      node.node,
      displayCommand(command),
      result.exitCode,
      tail(result.stderr || result.stdout),
    );
  }
  const results = parseBatch(result.stdout, list.length);
  const out = {} as T;
  for (const [i, key] of keys.entries()) {
    out[key] = (await readFact({ node: node.node, exec: () => Promise.resolve(results[i]!) }, list[i]!)) as T[keyof T];
  }
  return out;
}
