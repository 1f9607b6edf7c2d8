// Benchmark (not a test): how `up` from nothing grows with the lab, on the docker backend. Labs of 1, 3, 5 and 8
// machines (one server, the rest clients; 1 is a server+client), each running the whoami job, then the 5-node HA
// example (three servers, two clients). One round each, torn down after; the ratio is to the 3-node lab.
// Run: npm run bench:scale [-- SIZES], e.g. `npm run bench:scale -- 1,3,5`
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCluster, type Cluster } from '../src/config/load.ts';
import { down } from '../src/down.ts';
import { up } from '../src/up.ts';

const SIZES = (process.argv[2] ?? '1,3,5,8').split(',').map(Number);
const SUBNET = '10.90.0';

function labYaml(size: number): string {
  const nodes =
    size === 1
      ? [`  - { name: node1, role: both, address: ${SUBNET}.11 }`]
      : [
          `  - { name: server1, role: server, address: ${SUBNET}.11 }`,
          ...Array.from(
            { length: size - 1 },
            (_, i) => `  - { name: client${i + 1}, role: client, address: ${SUBNET}.${21 + i} }`,
          ),
        ];
  return [
    'version: 1',
    `name: bench-scale-${size}`,
    'network:',
    `  cidr: ${SUBNET}.0/24`,
    'nodes:',
    ...nodes,
    'jobs:',
    '  - name: whoami',
    '    file: jobs/whoami.nomad.hcl',
    '    images:',
    '      - recipe: whoami',
    '',
  ].join('\n');
}

async function timedUp(cluster: Cluster): Promise<{ seconds: number; changes: number }> {
  const start = performance.now();
  const { changes } = await up(cluster);
  return { seconds: (performance.now() - start) / 1000, changes: changes.length };
}

async function measure(label: string, yaml: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-bench-scale-'));
  await writeFile(join(dir, 'cluster.yaml'), yaml);
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  const cluster = await loadCluster(join(dir, 'cluster.yaml'));
  try {
    await down(cluster);
    const { seconds, changes } = await timedUp(cluster);
    console.log(
      `${label}: up from ` +
        `nothing ${seconds.toFixed(1)} s (${changes} changes), load ` +
        `average ${loadavg()[0]!.toFixed(1)}`,
    );
    return seconds;
  } finally {
    await down(cluster).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `bench:scale ${SIZES.join(', ')} machines and the HA example, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const results = new Map<string, number>();
for (const size of SIZES)
  results.set(`${size} machine${size === 1 ? '' : 's'}`, await measure(`${size} machines`, labYaml(size)));
const ha = (await readFile('examples/ha.yaml', 'utf8'))
  .replace('name: nomad-ha', 'name: bench-scale-ha')
  .replaceAll('10.79.0.', `${SUBNET}.`)
  .replaceAll('../jobs/', 'jobs/');
results.set('HA example (3 servers, 2 clients)', await measure('HA example', ha));

const three = results.get('3 machines');
console.log('\n| lab | up from nothing | against 3 machines |\n|---|---|---|');
for (const [label, seconds] of results)
  console.log(`| ${label} | ${seconds.toFixed(1)} s | ${three ? `${(seconds / three).toFixed(2)}x` : '-'} |`);
console.log(
  `load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
