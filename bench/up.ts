// Benchmark (not a test): the default lab's `up` from nothing (images and artifacts
// cached) and the no-change re-run, with the time of every step.
// Run: npm run bench:up [-- ROUNDS]
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCluster, type Cluster } from '../src/config/load.ts';
import { down } from '../src/down.ts';
import { up } from '../src/up.ts';
import { fmt, median } from './stats.ts';

const ROUNDS = Number(process.argv[2] ?? 3);

async function benchCluster(dir: string): Promise<Cluster> {
  const text = (await readFile('cluster.yaml', 'utf8'))
    .replace(/^name: nomad-lab$/m, 'name: bench-up')
    .replaceAll('10.77.0.', '10.91.0.');
  await writeFile(join(dir, 'cluster.yaml'), text);
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  return loadCluster(join(dir, 'cluster.yaml'));
}

/** One `up`: seconds per step, the total, and the number of changes. */
async function timedUp(cluster: Cluster): Promise<{ steps: Map<string, number>; total: number; changes: number }> {
  const steps = new Map<string, number>();
  const start = performance.now();
  const onEnd = (step: { name: string }, _outcome: unknown, seconds: number) => steps.set(step.name, seconds);
  const { changes } = await up(cluster, { reporter: { onEnd } });
  return { steps, total: (performance.now() - start) / 1000, changes: changes.length };
}

const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-bench-up-'));
const cluster = await benchCluster(dir);
const fresh: Awaited<ReturnType<typeof timedUp>>[] = [];
const again: Awaited<ReturnType<typeof timedUp>>[] = [];
console.log(`bench:up ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(1)}`);
try {
  await down(cluster);
  for (let round = 1; round <= ROUNDS; round++) {
    fresh.push(await timedUp(cluster));
    again.push(await timedUp(cluster));
    console.log(
      `round ${round}: from nothing ${fresh.at(-1)!.total.toFixed(1)} s (${fresh.at(-1)!.changes} changes), ` +
        `again ${again.at(-1)!.total.toFixed(1)} s (${again.at(-1)!.changes} changes)`,
    );
    await down(cluster);
  }
} finally {
  await down(cluster).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}

console.log(`\n| step | from nothing | no-change re-run |\n|---|---|---|`);
for (const title of fresh[0]!.steps.keys()) {
  const a = fresh.map((r) => r.steps.get(title)!);
  const b = again.map((r) => r.steps.get(title)!);
  console.log(`| ${title} | ${median(a).toFixed(1)} s | ${median(b).toFixed(1)} s |`);
}
const freshTotal = median(fresh.map((r) => r.total)).toFixed(1);
const againTotal = median(again.map((r) => r.total)).toFixed(1);
console.log(`| **total** | **${freshTotal} s** | **${againTotal} s** |`);
console.log(
  `\nfrom nothing: ${fmt(fresh.map((r) => r.total))}; again: ${fmt(again.map((r) => r.total))}; changes on ` +
    `re-runs: ${again.map((r) => r.changes).join(', ')}`,
);
console.log(`load average at the end ${loadavg()[0]!.toFixed(1)}`);
