// Benchmark (not a test): how long Vagrant's docker backend takes to boot two machines,
// against starting the same two containers directly with `docker run`.
// Both sides end when every machine accepts an SSH login. Run: npm run bench:boot [-- ROUNDS]
import { chmod, copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../src/config/load.ts';
import { nodeImageTag } from '../src/images/node-image.ts';
import { NODE_CONTAINER_FLAGS } from '../src/render/docker-node-flags.ts';
import { VagrantProvider } from '../src/providers/vagrant/vagrant-provider.ts';
import { fmt, median } from './stats.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const VAGRANT_KEY = '/usr/share/rubygems-integration/all/gems/vagrant-2.3.4/keys/vagrant';
const DIRECT = { network: 'bench-direct-net', cidr: '10.90.0.0/24' };
const NODES = [
  { name: 'server', address: '10.90.0.10' },
  { name: 'client1', address: '10.90.0.11' },
];

async function benchCluster(dir: string): Promise<Cluster> {
  const text = (await readFile('cluster.yaml', 'utf8'))
    .replace(/^name: nomad-lab$/m, 'name: bench-boot')
    .replaceAll('10.77.0.', '10.89.0.');
  await writeFile(join(dir, 'cluster.yaml'), text);
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  const cluster = await loadCluster(join(dir, 'cluster.yaml'));
  return { ...cluster, spec: { ...cluster.spec, nodes: cluster.spec.nodes.slice(0, 2) } };
}

async function sshReady(key: string, address: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const result = await execa(
      'ssh',
      [
        '-i',
        key,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=2',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
        `vagrant@${address}`,
        'true',
      ],
      { reject: false },
    );
    if (result.exitCode === 0) return;
    if (Date.now() > deadline) throw new Error(`${address}: no SSH login within 120 s`);
    await sleep(100);
  }
}

async function directUp(image: string, key: string): Promise<void> {
  await execa('docker', ['network', 'create', '--subnet', DIRECT.cidr, DIRECT.network]);
  await Promise.all(
    NODES.map((n) =>
      execa('docker', [
        'run',
        '-d',
        '--name',
        `bench-direct-${n.name}`,
        '--hostname',
        n.name,
        '--network',
        DIRECT.network,
        '--ip',
        n.address,
        ...NODE_CONTAINER_FLAGS,
        image,
      ]),
    ),
  );
  await Promise.all(NODES.map((n) => sshReady(key, n.address)));
}

async function directDown(): Promise<void> {
  await execa('docker', ['rm', '-f', '-v', ...NODES.map((n) => `bench-direct-${n.name}`)], { reject: false });
  await execa('docker', ['network', 'rm', DIRECT.network], { reject: false });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'nomad-lab-bench-'));
  const key = join(work, 'vagrant-insecure-key');
  await copyFile(VAGRANT_KEY, key);
  await chmod(key, 0o600);
  const cluster = await benchCluster(work);
  const provider = new VagrantProvider();
  const image = await nodeImageTag('nomadlab/node');
  const times = {
    vagrantUp: [] as number[],
    vagrantDown: [] as number[],
    directUp: [] as number[],
    directDown: [] as number[],
  };
  console.log(
    `two machines, ${ROUNDS} rounds each, image ${image}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  try {
    await provider.down(cluster);
    await directDown();
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate, so a burst of load from other work on the host hits both sides.
      times.vagrantUp.push(await timed(() => provider.up(cluster)));
      times.vagrantDown.push(await timed(() => provider.down(cluster)));
      times.directUp.push(await timed(() => directUp(image, key)));
      times.directDown.push(await timed(() => directDown()));
      console.log(
        `round ${round}: vagrant up ${times.vagrantUp.at(-1)!.toFixed(1)} s, docker ` +
          `run ${times.directUp.at(-1)!.toFixed(1)} s`,
      );
    }
  } finally {
    await provider.down(cluster).catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
    await directDown();
    await rm(work, { recursive: true, force: true });
  }
  console.log(`vagrant up --parallel (to SSH ready): ${fmt(times.vagrantUp)}`);
  console.log(`docker run x2 (to SSH ready):         ${fmt(times.directUp)}`);
  console.log(
    `ratio vagrant / docker run:           ${(median(times.vagrantUp) / median(times.directUp)).toFixed(1)}x`,
  );
  console.log(`down: vagrant destroy ${fmt(times.vagrantDown)}; docker rm ${fmt(times.directDown)}`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

await main();
