// Benchmark (not a test): `verify` on the default lab, once it is up and healthy.
// Brings the lab up under its own name if needed, times verifyCluster, tears it down.
// Run: npm run bench:verify [-- ROUNDS]
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCluster } from '../src/config/load.ts';
import { down } from '../src/down.ts';
import { up } from '../src/up.ts';
import { verifyCluster } from '../src/verify/index.ts';
import { fmtMs } from './stats.ts';

const ROUNDS = Number(process.argv[2] ?? 10);
const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-bench-verify-'));
const text = (await readFile('cluster.yaml', 'utf8'))
  .replace(/^name: nomad-lab$/m, 'name: bench-verify')
  .replaceAll('10.77.0.', '10.93.0.');
await writeFile(join(dir, 'cluster.yaml'), text);
await cp('jobs', join(dir, 'jobs'), { recursive: true });
const cluster = await loadCluster(join(dir, 'cluster.yaml'));

try {
  await up(cluster);
  const seconds: number[] = [];
  let checks = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const report = await verifyCluster(cluster.spec);
    seconds.push((performance.now() - start) / 1000);
    if (!report.ok)
      throw new Error(
        `verify failed in round ${round + 1}: ${report.results
          .filter((r) => !r.ok)
          .map((r) => r.message)
          .join('; ')}`,
      );
    checks = report.results.length;
  }
  const { services, nodes } = cluster.spec;
  console.log(`bench:verify: ${services.length} services, ${nodes.length} nodes, ${checks} checks per run`);
  console.log(`verify: ${fmtMs(seconds)}; load average ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await down(cluster).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
