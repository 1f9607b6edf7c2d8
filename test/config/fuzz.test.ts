import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { parseCluster } from '../../src/config/load.ts';
import { boundedIssues, ConfigError, formatIssues } from '../../src/errors.ts';
import { LIMITS } from '../../src/config/limits.ts';
import { printable } from '../../src/text.ts';
import { formatPlan } from '../../src/cli/format.ts';
import { planCluster } from '../../src/plan/plan.ts';
import { renderVagrantfile } from '../../src/render/vagrantfile.ts';

// Property: a mutated cluster file from this repository is a valid cluster (which plans and
// renders) or a ConfigError, never another exception, and is read within a time bound.
// NOMAD_LAB_FUZZ_RUNS=20000 runs longer; a failure prints the seed and path to replay it.

const RUNS = Number(process.env['NOMAD_LAB_FUZZ_RUNS'] ?? 400);
const BOUND_MS = 1000;

const read = (file: string) => ({ file, text: readFileSync(file, 'utf8') });
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => read(join(dir, f)));
const validSeeds = [read('cluster.yaml'), ...yamlIn('examples')];
const invalidSeeds = yamlIn('test/fixtures/invalid');

/** Fragments that have broken YAML readers: aliases, anchors, tags, flow and block indicators, escapes, odd numbers. */
const hostile = fc.constantFrom(
  '*a',
  '&a ',
  '*b',
  '&b [*a, *a, *a, *a]',
  '[',
  ']',
  '{',
  '}',
  ': ',
  '- ',
  '? ',
  '\t',
  '"',
  "'",
  '\n',
  '\r\n',
  '#',
  '!!binary ',
  '!!set ',
  '!tag ',
  '<<: *a',
  '---\n',
  '...\n',
  '|',
  '>-',
  '%YAML 1.1\n',
  '~',
  'null',
  '1e309',
  '-.inf',
  '.nan',
  '0x1F',
  '0o17',
  '012',
  '1.0',
  '\u001b[31m',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '\u202E',
  '/',
  '/etc',
  '..',
  '$(reboot)',
  '10.77.0.0/024',
  '0xa.77.0.0/24',
  'x'.repeat(2000),
  '[[[[[[[[[[',
  '{a: {b: {c: ',
  'nodes:\n  - ',
  'version: 1\n',
  // Second round: invisible characters, collection keys, out-of-range addresses, reserved networks, paths out.
  '\u200b',
  '\u200e',
  '\u2066',
  '\u061c',
  '\u00ad',
  '\u0085',
  '\u009b',
  '? [a, b]\n: ',
  '[a, "\u202e"]: ',
  '{a: 1}: ',
  '999.1.1.1',
  '4294967296',
  '127.0.0.0/8',
  '172.17.0.0/16',
  '255.255.255.0/24',
  '/proc/self/environ',
  '/dev/zero',
  '../../../../etc/passwd',
  '.nomad-lab/x',
  '9999999999999999999h',
  '1e9',
  '//',
  '../..',
);

type Mutation = (text: string) => string;
const at = (text: string, position: number) => Math.min(position, text.length);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.oneof(hostile, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }))).map(
    ([position, fragment]) =>
      (text: string) =>
        text.slice(0, at(text, position)) + fragment + text.slice(at(text, position)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(
    ([position, length]) =>
      (text: string) =>
        text.slice(0, at(text, position)) + text.slice(at(text, position) + length),
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 200 })).map(([from, to, length]) => (text: string) => {
    const piece = text.slice(at(text, from), at(text, from) + length);
    return text.slice(0, at(text, to)) + piece + text.slice(at(text, to));
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (text: string) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.constantFrom('  ', ' ', '')).map(([a, indent]) => (text: string) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    lines[i] = indent + lines[i]!.trimStart();
    return lines.join('\n');
  }),
);

// Valid files as often as invalid ones, so mutations that keep a file valid reach planning and rendering.
const seed = fc.oneof(fc.constantFrom(...validSeeds), fc.constantFrom(...invalidSeeds));
const mutated = fc.tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([seed, mutations]) => ({
  file: seed.file,
  text: mutations.reduce((text, mutate) => mutate(text), seed.text),
}));

// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/**
 * What the CLI would print of a ConfigError, in text and as JSON: no raw control or invisible character, at most 64
 * KiB.
 */
function checkOutput(error: ConfigError): void {
  const text = formatIssues(error.issues).join('\n');
  const json = printable(JSON.stringify({ file: 'x.yaml', valid: false, ...boundedIssues(error.issues) }, null, 2));
  for (const [format, output] of [
    ['text', text],
    ['json', json],
  ] as const) {
    if (RAW.test(output))
      throw new Error(
        `${format} output holds a raw control or invisible character: ${JSON.stringify(output.slice(0, 400))}`,
      );
    if (Buffer.byteLength(output) > LIMITS.outputBytes)
      throw new Error(`${format} output has ${Buffer.byteLength(output)} bytes`);
  }
}

/** Runs `body` with process.emitWarning watched: a library's warning would reach stderr raw. */
function withoutWarnings<T>(body: () => T): T {
  const original = process.emitWarning.bind(process);
  let warned: string | Error | undefined;
  process.emitWarning = (warning: string | Error) => {
    warned = warning;
  };
  let result: T;
  try {
    result = body();
  } finally {
    process.emitWarning = original;
  }
  if (warned !== undefined) throw new Error(`a warning reached process.emitWarning: ${String(warned)}`);
  return result;
}

interface Stats {
  valid: number;
  slowest: number;
}

/**
 * One case: a valid cluster, or a ConfigError whose output is inert and bounded; within BOUND_MS. Anything else throws.
 */
function oneCase(load: () => void, stats: Stats): void {
  const t0 = performance.now();
  try {
    withoutWarnings(load);
    stats.valid += 1;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checkOutput(error);
  }
  const elapsed = performance.now() - t0;
  stats.slowest = Math.max(stats.slowest, elapsed);
  if (elapsed > BOUND_MS) throw new Error(`took ${elapsed.toFixed(0)} ms, over the ${BOUND_MS} ms bound`);
}

test('mutated cluster files are a valid cluster or a ConfigError, never a crash, each within a bound', (t) => {
  const stats: Stats = { valid: 0, slowest: 0 };
  const started = performance.now();
  fc.assert(
    fc.property(mutated, ({ file, text }) => {
      const dir = resolve(dirname(file));
      oneCase(() => {
        const cluster = parseCluster(text, { displayName: file, baseDir: dir });
        formatPlan(planCluster(cluster));
        if (cluster.spec.provider.type === 'vagrant')
          renderVagrantfile({ ...cluster, file: join(dir, 'cluster.yaml') }, { nodeImage: 'nomadlab/node:fuzz' });
      }, stats);
    }),
    { numRuns: RUNS },
  );
  const ms = (performance.now() - started).toFixed(0);
  const slowest = stats.slowest.toFixed(0);
  t.log(
    `${RUNS} mutated files from ${validSeeds.length + invalidSeeds.length} seeds: ` +
      `${stats.valid} valid, ${RUNS - stats.valid} ConfigErrors; ${ms} ms in all, slowest ${slowest} ms`,
  );
  t.pass();
});

// Property: generated values in the places hostile files aim at (addresses, networks, ssh hosts, names, keys, paths)
// give a valid cluster or a ConfigError whose output is inert and bounded; never a crash or a library's warning.

const CONTROL_AND_INVISIBLE = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u00ad',
  '\u061c',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u202e',
  '\u2060',
  '\u2066',
  '\ufeff',
  '\u{e0041}',
];
const controlText = fc
  .array(fc.oneof(fc.constantFrom(...CONTROL_AND_INVISIBLE), fc.constantFrom('a', 'server', '1', '.', '/', ' ')), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/**
 * Strings that look like IPv4 in some notation: 1 to 5 parts, decimal, leading zeros, hex, huge numbers, empty parts.
 */
const ipPart = fc.oneof(
  fc.nat({ max: 300 }).map(String),
  fc.nat({ max: 255 }).map((n) => `0${n.toString(8)}`),
  fc.nat({ max: 255 }).map((n) => `0x${n.toString(16)}`),
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
  fc.constant(''),
);
const ipLike = fc.array(ipPart, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
const cidrLike = fc
  .tuple(ipLike, fc.oneof(fc.nat({ max: 40 }).map(String), fc.constantFrom('024', '', 'x')))
  .map(([a, p]) => `${a}/${p}`);
const reservedCidr = fc.constantFrom(
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '172.17.0.0/16',
  '172.16.0.0/12',
  '255.255.255.0/24',
  '10.77.0.0/24',
);

/** A YAML value: usually a quoted string (so it stays a string), sometimes written bare. */
const yamlValue = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.boolean()).map(([v, bare]) => (bare && /^[\w./-]+$/.test(v) ? v : JSON.stringify(v)));

const collectionKey = fc.oneof(
  fc.tuple(controlText).map(([c]) => `? [a, ${JSON.stringify(c)}]\n: 1\n`),
  fc.tuple(controlText).map(([c]) => `? { ${JSON.stringify(c)}: 1 }\n: x\n`),
  fc.tuple(controlText).map(([c]) => `${JSON.stringify(c)}: 1\n`),
  fc.constant(''),
);

const generated = fc
  .record({
    cidr: yamlValue(fc.oneof(cidrLike, reservedCidr)),
    address: yamlValue(fc.oneof(ipLike, fc.constant('10.77.0.10'))),
    host: yamlValue(fc.oneof(ipLike, controlText, fc.constant('worker.example'))),
    name: yamlValue(fc.oneof(controlText, fc.constant('server'))),
    file: yamlValue(
      fc.constantFrom(
        '../jobs/whoami.nomad.hcl',
        '/proc/self/environ',
        '/dev/zero',
        '/etc/hostname',
        '../../.ssh/id_rsa',
        'jobs/\u200bx.hcl',
      ),
    ),
    image: yamlValue(fc.oneof(controlText, fc.constantFrom('nomadlab/node', 'a//b', 'A/b', '../..', 'x'.repeat(300)))),
    provider: fc.constantFrom('ssh', 'vagrant'),
    key: collectionKey,
  })
  .map((v) =>
    [
      'version: 1',
      `network: { cidr: ${v.cidr} }`,
      v.provider === 'ssh' ? 'provider: { type: ssh }' : `provider: { type: vagrant, image: ${v.image} }`,
      'nodes:',
      `  - { name: ${v.name}, role: both, ` +
        `address: ${v.address}${v.provider === 'ssh' ? `, ssh: { host: ${v.host} }` : ''} }`,
      'jobs:',
      `  - { name: whoami, file: ${v.file} }`,
      'files: { allow_from: [../jobs] }',
      v.key,
    ].join('\n'),
  );

test(
  'generated IP-like strings, collection keys and control characters are a valid cluster or an inert, ' +
    'bounded ConfigError',
  (t) => {
    const stats: Stats = { valid: 0, slowest: 0 };
    const started = performance.now();
    const dir = resolve('examples');
    fc.assert(
      fc.property(generated, (text) =>
        oneCase(() => parseCluster(text, { displayName: 'generated.yaml', baseDir: dir }), stats),
      ),
      { numRuns: RUNS },
    );
    const ms = (performance.now() - started).toFixed(0);
    t.log(
      `${RUNS} generated files: ${stats.valid} valid, ${RUNS - stats.valid} ConfigErrors; ` +
        `${ms} ms in all, slowest ${stats.slowest.toFixed(0)} ms`,
    );
    t.pass();
  },
);
