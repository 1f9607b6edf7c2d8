import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { parseCluster } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { formatPlan } from '../../src/cli/format.ts';
import { planCluster } from '../../src/plan/plan.ts';
import { renderVagrantfile } from '../../src/render/vagrantfile.ts';

// Property: a mutated cluster file from this repository is a valid cluster (which plans and
// renders) or a ConfigError, never another exception, and is read within a time bound.
// NOMAD_LAB_FUZZ_RUNS=20000 runs longer; a failure prints the seed and path to replay it.

const RUNS = Number(process.env['NOMAD_LAB_FUZZ_RUNS'] ?? 400);
const BOUND_MS = 1000;

const read = (file: string) => ({ file, text: readFileSync(file, 'utf8') });
const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => read(join(dir, f)));
const validSeeds = [read('cluster.yaml'), ...yamlIn('examples')];
const invalidSeeds = yamlIn('test/fixtures/invalid');

/** Fragments that have broken YAML readers: aliases, anchors, tags, flow and block indicators, escapes, odd numbers. */
const hostile = fc.constantFrom(
  '*a', '&a ', '*b', '&b [*a, *a, *a, *a]', '[', ']', '{', '}', ': ', '- ', '? ', '\t', '"', "'", '\n', '\r\n', '#',
  '!!binary ', '!!set ', '!tag ', '<<: *a', '---\n', '...\n', '|', '>-', '%YAML 1.1\n', '~', 'null', '1e309', '-.inf',
  '.nan', '0x1F', '0o17', '012', '1.0', '\u001b[31m', '\u0000', '\uFEFF', '\uD800', '\u202E', '/', '/etc', '..', '$(reboot)',
  '10.77.0.0/024', '0xa.77.0.0/24', 'x'.repeat(2000), '[[[[[[[[[[', '{a: {b: {c: ', 'nodes:\n  - ', 'version: 1\n',
);

type Mutation = (text: string) => string;
const at = (text: string, position: number) => Math.min(position, text.length);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.oneof(hostile, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }))).map(
    ([position, fragment]) => (text: string) => text.slice(0, at(text, position)) + fragment + text.slice(at(text, position)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([position, length]) => (text: string) => text.slice(0, at(text, position)) + text.slice(at(text, position) + length)),
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

test('mutated cluster files are a valid cluster or a ConfigError, never a crash, each within a bound', (t) => {
  let valid = 0;
  let slowest = 0;
  const started = performance.now();
  fc.assert(
    fc.property(mutated, ({ file, text }) => {
      const dir = resolve(dirname(file));
      const t0 = performance.now();
      try {
        const cluster = parseCluster(text, { displayName: file, baseDir: dir });
        formatPlan(planCluster(cluster));
        if (cluster.spec.provider.type === 'vagrant') renderVagrantfile({ ...cluster, file: join(dir, 'cluster.yaml') }, { nodeImage: 'nomadlab/node:fuzz' });
        valid += 1;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
      }
      const elapsed = performance.now() - t0;
      slowest = Math.max(slowest, elapsed);
      if (elapsed > BOUND_MS) throw new Error(`took ${elapsed.toFixed(0)} ms, over the ${BOUND_MS} ms bound`);
    }),
    { numRuns: RUNS },
  );
  t.log(`${RUNS} mutated files from ${validSeeds.length + invalidSeeds.length} seeds: ${valid} valid, ${RUNS - valid} ConfigErrors; ${(performance.now() - started).toFixed(0)} ms in all, slowest ${slowest.toFixed(0)} ms`);
  t.pass();
});
