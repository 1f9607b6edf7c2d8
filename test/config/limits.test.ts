import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { LIMITS } from '../../src/config/limits.ts';
import { loadCluster, parseCluster } from '../../src/config/load.ts';
import { YamlSource } from '../../src/config/yaml-source.ts';
import { ConfigError, formatIssue, NomadLabError } from '../../src/errors.ts';

// Files past what a cluster file needs are refused fast, and what is said about them stays short.

const minimal = 'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 }\n';
const parse = (text: string) => parseCluster(text, { displayName: 'x.yaml', baseDir: '.' });

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-limits-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `work`, asserts it took under `ms`, and returns what it threw. */
async function refusedWithin<T extends Error>(
  t: ExecutionContext,
  ms: number,
  work: () => unknown,
  type: new (...args: never[]) => T,
): Promise<T> {
  const started = performance.now();
  // In an executor: a sync throw from `work` is a rejection too.
  const error = (await t.throwsAsync(new Promise((resolve) => resolve(work())), { instanceOf: type })) as T;
  const elapsed = performance.now() - started;
  t.true(elapsed < ms, `took ${elapsed.toFixed(0)} ms`);
  return error;
}

test.serial('a 50 MB file is refused by its size, before it is read', async (t) => {
  const file = join(await tempDir(t), 'big.yaml');
  await writeFile(file, minimal);
  await truncate(file, 50 * 2 ** 20);
  const error = await refusedWithin(t, 1000, () => loadCluster(file), ConfigError);
  t.regex(
    error.message,
    new RegExp(
      [
        String.raw`:1:1 a cluster file may have at most 65536 bytes \(64 KiB\), `,
        String.raw`and this one has 52428800 bytes: is it the right file\?$`,
      ].join(''),
    ),
  );
});

test.serial('text over the size limit is refused by parseCluster too', (t) => {
  const error = t.throws(() => parse(`${minimal}# ${'x'.repeat(LIMITS.fileBytes)}\n`), { instanceOf: ConfigError });
  t.is(error?.issues.length, 1);
  t.regex(error?.message ?? '', /at most 65536 bytes/);
});

test.serial('a FIFO is refused at once, not waited on', async (t) => {
  const fifo = join(await tempDir(t), 'cluster.yaml');
  await execa('mkfifo', [fifo]);
  const error = await refusedWithin(t, 1000, () => loadCluster(fifo), NomadLabError);
  t.is(
    error.message,
    `cannot read cluster file ${fifo} (a FIFO): a cluster file is a regular file; name one with -f FILE`,
  );
});

for (const [path, kind] of [
  ['/dev/zero', 'a character device'],
  ['/', 'a folder'],
] as const) {
  test.serial(`${path} is refused as ${kind}`, async (t) => {
    const error = await refusedWithin(t, 1000, () => loadCluster(path), NomadLabError);
    t.is(
      error.message,
      `cannot read cluster file ${path} (${kind}): a cluster file is a regular file; name one with -f FILE`,
    );
  });
}

test.serial('a long value is quoted cut short, with its length', (t) => {
  const error = t.throws(() => parse(minimal.replace('name: a,', `name: ${'a'.repeat(60_000)},`)), {
    instanceOf: ConfigError,
  });
  const [line] = error?.issues.map(formatIssue) ?? [];
  t.is(
    line,
    `x.yaml:4:13 nodes[0].name: must be usable as a hostname: lowercase letters, digits and "-", 1 to 63 ` +
      `characters, starting and ending with a letter or digit, got "${'a'.repeat(80)}"… (60000 characters)`,
  );
});

test.serial('a long unknown key is cut short in the path and the message', (t) => {
  const key = 'k'.repeat(1000);
  const error = t.throws(() => parse(`${minimal}${key}: 1\n`), { instanceOf: ConfigError });
  const [line = ''] = error?.issues.map(formatIssue) ?? [];
  t.true(line.length < 400, `${line.length} characters`);
  t.true(line.startsWith(`x.yaml:5:1 ${'k'.repeat(79)}…: unknown key "${'k'.repeat(80)}"… (1000 characters); `));
});

test.serial('a message is cut at LIMITS.messageChars', (t) => {
  const line = formatIssue({ severity: 'error', file: 'x.yaml', line: 1, col: 1, path: '', message: 'm'.repeat(5000) });
  t.is(line, `x.yaml:1:1 ${'m'.repeat(LIMITS.messageChars - 1)}…`);
});

test.serial('at most LIMITS.nodes nodes', (t) => {
  const nodes = Array.from(
    { length: LIMITS.nodes + 1 },
    (_, i) => `  - { name: n${i}, role: both, address: 10.9.${Math.floor(i / 200)}.${(i % 200) + 2} }`,
  );
  const error = t.throws(() => parse(`version: 1\nnetwork: { cidr: 10.9.0.0/16 }\nnodes:\n${nodes.join('\n')}\n`), {
    instanceOf: ConfigError,
  });
  t.deepEqual(error?.issues.map(formatIssue), ['x.yaml:4:3 nodes: must list at most 100 items']);
});

test.serial('at most LIMITS.dnsLookups dns lookups, and a name of at most 253 characters', (t) => {
  const lookups = Array.from(
    { length: LIMITS.dnsLookups + 1 },
    (_, i) => `  - { name: s${i}.service.consul, type: A }`,
  );
  const error = t.throws(() => parse(`${minimal}dns:\n${lookups.join('\n')}\n`), { instanceOf: ConfigError });
  t.deepEqual(error?.issues.map(formatIssue), [`x.yaml:6:3 dns: must list at most ${LIMITS.dnsLookups} items`]);
  const long = `${'a.'.repeat(125)}service.consul`;
  const tooLong = t.throws(() => parse(`${minimal}dns:\n  - { name: ${long}, type: A }\n`), {
    instanceOf: ConfigError,
  });
  t.is(tooLong?.issues.length, 1);
  t.regex(tooLong?.message ?? '', /dns\[0\]\.name: must be at most 253 characters long, got "a\.a/);
});

test.serial('the first LIMITS.issuesShown problems are shown, and the rest counted', (t) => {
  const nodes = Array.from({ length: 50 }, (_, i) => `  - { name: "N${i}", role: both, address: 10.9.0.${i + 2} }`);
  const error = t.throws(() => parse(`version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n${nodes.join('\n')}\n`), {
    instanceOf: ConfigError,
  });
  t.is(error?.issues.length, 50);
  const lines = error?.message.split('\n') ?? [];
  t.is(lines.length, LIMITS.issuesShown + 1);
  t.is(lines.at(-1), 'and 30 more problems, not shown');
  t.is(error?.shortMessage, 'x.yaml: 50 problems');
});

test.serial('control characters in the file name never reach the terminal', (t) => {
  const error = t.throws(() => parseCluster('version: 2\n', { displayName: 'evil\n\u001b[2J.yaml', baseDir: '.' }), {
    instanceOf: ConfigError,
  });
  // eslint-disable-next-line no-control-regex -- no control character but the newlines between issues
  t.notRegex(error?.message ?? '', /[\u0000-\u0009\u000b-\u001f]/);
  t.regex(error?.message ?? '', /^evil\\u000a\\u001b\[2J\.yaml:1:1 /);
  t.is(error?.shortMessage, 'evil\\u000a\\u001b[2J.yaml: 3 problems');
});

test.serial('100,000 keys: no quadratic duplicate check or key lookup', (t) => {
  const text = `version: 1\n${Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  const started = performance.now();
  const source = new YamlSource(text);
  t.deepEqual(source.syntaxErrors(), []);
  for (let i = 0; i < 100_000; i += 1) source.positionOfKey([], `k${i}`);
  t.deepEqual(source.positionOfKey([], 'k99999'), { line: 100_001, col: 1 });
  const elapsed = performance.now() - started;
  t.log(`100,000 keys parsed and located in ${elapsed.toFixed(0)} ms`);
  t.true(elapsed < 15_000, `took ${elapsed.toFixed(0)} ms (before: over 2 minutes)`);
});

test.serial('the largest file allowed, all unknown keys, is refused fast', (t) => {
  const lines: string[] = ['version: 1'];
  for (let i = 0, size = 11; size + 10 < LIMITS.fileBytes; i += 1)
    size += lines[lines.push(`k${i}: 1`) - 1]!.length + 1;
  const started = performance.now();
  const error = t.throws(() => parse(`${lines.join('\n')}\n`), { instanceOf: ConfigError });
  const elapsed = performance.now() - started;
  t.log(`${lines.length - 1} unknown keys refused in ${elapsed.toFixed(0)} ms`);
  // Under a second alone; the bound leaves room for a loaded machine.
  t.true(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
  t.regex(error?.message ?? '', /\nand \d+ more problems, not shown$/);
});

test.serial('a duplicate key far down a large mapping is still found', (t) => {
  const text = `version: 1\n${Array.from({ length: 5000 }, (_, i) => `k${i}: 1`).join('\n')}\nk17: 2\n`;
  t.deepEqual(new YamlSource(text).syntaxErrors(), [
    { position: { line: 5002, col: 1 }, message: 'duplicate key "k17": a key may appear only once in a mapping' },
  ]);
});
