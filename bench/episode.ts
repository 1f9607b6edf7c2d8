// Benchmark (not a test): the workshop loop on the default lab, through the CLI as a person runs it:
// `reset` then `up` then `verify`, and `down` then `up` then `verify`. Medians of each command and of each loop.
// Run: npm run bench:episode [-- ROUNDS]
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { fmt, median } from './stats.ts';

const ROUNDS = Number(process.argv[2] ?? 3);

const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-bench-episode-'));
const text = (await readFile('cluster.yaml', 'utf8'))
  .replace(/^name: nomad-lab$/m, 'name: bench-episode')
  .replaceAll('10.77.0.', '10.92.0.');
const file = join(dir, 'cluster.yaml');
await writeFile(file, text);
await cp('jobs', join(dir, 'jobs'), { recursive: true });

/** One CLI command, timed; a failure ends the benchmark with its output. */
async function timed(command: string): Promise<number> {
  const start = performance.now();
  const result = await execa('node', ['bin/nomad-lab.js', command, '-f', file], {
    reject: false,
    all: true,
    env: { CI: 'true' },
  });
  if (result.exitCode !== 0) throw new Error(`nomad-lab ${command} exited ${result.exitCode}:\n${result.all}`);
  return (performance.now() - start) / 1000;
}

const loops = { reset: [] as number[][], down: [] as number[][] };
console.log(
  `bench:episode ${ROUNDS} rounds, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
try {
  await timed('down');
  await timed('up');
  for (let round = 1; round <= ROUNDS; round++) {
    for (const first of ['reset', 'down'] as const) {
      const seconds = [await timed(first), await timed('up'), await timed('verify')];
      loops[first].push(seconds);
      console.log(
        `round ${round}: ${first} ${seconds[0]!.toFixed(1)} s, ` +
          `up ${seconds[1]!.toFixed(1)} s, verify ${seconds[2]!.toFixed(1)} s`,
      );
    }
  }
} finally {
  await timed('down').catch(() => 0);
  await rm(dir, { recursive: true, force: true });
}

console.log('\n| loop | first command | up | verify | whole loop |\n|---|---|---|---|---|');
for (const [first, rounds] of Object.entries(loops)) {
  const col = (i: number) => `${median(rounds.map((r) => r[i]!)).toFixed(1)} s`;
  const whole = median(rounds.map((r) => r[0]! + r[1]! + r[2]!)).toFixed(1);
  console.log(`| ${first}, up, verify | ${col(0)} | ${col(1)} | ${col(2)} | **${whole} s** |`);
}
for (const [first, rounds] of Object.entries(loops))
  console.log(`${first} loop: ${fmt(rounds.map((r) => r[0]! + r[1]! + r[2]!))}`);
console.log(
  `load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
