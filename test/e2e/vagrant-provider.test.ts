import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { ProviderError } from '../../src/errors.ts';
import { cacheDir, labKeyFile, vagrantDir } from '../../src/host/dirs.ts';
import type { NodeEndpoint } from '../../src/providers/provider.ts';
import { VagrantProvider } from '../../src/providers/vagrant/vagrant-provider.ts';
import { requirePreparedHost } from './helpers.ts';

// The default lab's three machines, booted by real Vagrant on the docker backend, under
// their own lab name and subnet so they never meet a lab a person runs on this host.
// Tests run in order: boot, reach, re-run, destroy.

const LAB = 'e2e-prov';
const CIDR = '10.88.0.0/24';
const provider = new VagrantProvider();
let cluster: Cluster;
let workDir: string;
let endpoints: NodeEndpoint[] = [];

async function labCluster(): Promise<Cluster> {
  workDir = await mkdtemp(join(tmpdir(), 'nomad-lab-e2e-prov-'));
  const text = (await readFile('cluster.yaml', 'utf8'))
    .replace(/^name: nomad-lab$/m, `name: ${LAB}`)
    .replaceAll('10.77.0.', '10.88.0.');
  await writeFile(join(workDir, 'cluster.yaml'), text);
  await cp('jobs', join(workDir, 'jobs'), { recursive: true });
  return loadCluster(join(workDir, 'cluster.yaml'));
}

/** Containers and docker networks of this lab that exist, by container name and subnet. */
async function leftovers(): Promise<string[]> {
  const containers = (
    await execa('docker', ['ps', '-a', '--filter', `name=^/${LAB}-`, '--format', '{{.Names}}'])
  ).stdout
    .split('\n')
    .filter(Boolean);
  const networks: string[] = [];
  for (const id of (await execa('docker', ['network', 'ls', '-q'])).stdout.split('\n').filter(Boolean)) {
    const { stdout } = await execa('docker', [
      'network',
      'inspect',
      '--format',
      '{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}',
      id,
    ]);
    if (stdout.split(' ').includes(CIDR)) networks.push(stdout.split(' ')[0]!);
  }
  return [...containers, ...networks];
}

function ssh(e: NodeEndpoint, command: string) {
  return execa(
    'ssh',
    [
      '-i',
      e.privateKeyPath!,
      '-p',
      String(e.port),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      `${e.user}@${e.host}`,
      command,
    ],
    { reject: false, all: true },
  );
}

test.before(async () => {
  await requirePreparedHost();
  cluster = await labCluster();
  // A previous run killed mid-way may have left machines of this lab: start clean.
  await provider.down(cluster);
});

test.after.always(async () => {
  if (!cluster) return;
  try {
    await provider.down(cluster);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
});

test.serial('before up: every machine is not_created and endpoints names them', async (t) => {
  t.deepEqual(
    (await provider.status(cluster)).map((s) => s.state),
    ['not_created', 'not_created', 'not_created'],
  );
  const error = await t.throwsAsync(provider.endpoints(cluster), { instanceOf: ProviderError });
  t.regex(error.message, /not running: server \(no Vagrantfile yet\), client1 .*, client2 /);
});

test.serial('without the node image, up fails before Vagrant runs and says to build it', async (t) => {
  const { provider: spec } = cluster.spec;
  const noImage: Cluster = {
    ...cluster,
    spec: { ...cluster.spec, provider: { ...spec, image: 'nomadlab/no-such-node' } as typeof spec },
  };
  const error = await t.throwsAsync(provider.up(noImage), { instanceOf: ProviderError });
  t.regex(
    error.message,
    new RegExp(
      [
        String.raw`^node image nomadlab/no-such-node:[0-9a-f]{12}-[0-9a-f]{6} not found in the local Docker: `,
        'run `nomad-lab image build` first$',
      ].join(''),
    ),
  );
  t.deepEqual(
    (await provider.status(cluster)).map((s) => s.detail),
    ['no Vagrantfile yet', 'no Vagrantfile yet', 'no Vagrantfile yet'],
  );
});

test.serial(
  "a lab network that overlaps one of this host's: up fails before Vagrant makes anything, naming it",
  async (t) => {
    const other = 'e2e-prov-overlap';
    await execa('docker', ['network', 'rm', other], { reject: false });
    await execa('docker', ['network', 'create', '--subnet', '10.88.0.0/16', other]);
    try {
      const error = await t.throwsAsync(provider.up(cluster), { instanceOf: ProviderError });
      t.is(
        error.message,
        `network.cidr ${CIDR} overlaps Docker ` +
          `network ${other}, 10.88.0.0/16: give the lab a private network ` +
          `this host does not use yet (change network.cidr and the node addresses in the cluster file)`,
      );
      t.deepEqual(await leftovers(), []);
    } finally {
      await execa('docker', ['network', 'rm', other]);
    }
  },
);

test.serial('up boots three machines and reports an OpenSSH-reachable endpoint for each', async (t) => {
  const lines: string[] = [];
  endpoints = await provider.up(cluster, { onProgress: (l) => lines.push(l) });
  t.true(
    lines.some((l) => /server: /.test(l)),
    lines.join('\n'),
  );
  t.deepEqual(
    (await provider.status(cluster)).map((s) => [s.node, s.state]),
    [
      ['server', 'running'],
      ['client1', 'running'],
      ['client2', 'running'],
    ],
  );
  t.deepEqual(
    endpoints.map((e) => [e.node, e.user, e.labAddress]),
    [
      ['server', 'vagrant', '10.88.0.10'],
      ['client1', 'vagrant', '10.88.0.11'],
      ['client2', 'vagrant', '10.88.0.12'],
    ],
  );
  for (const e of endpoints) {
    // The lab's own key, which every machine authorizes from its first boot.
    t.is(e.privateKeyPath, labKeyFile(cluster));
    // nomad-lab's cache, which the machine sees read-only.
    t.deepEqual(e.hostShare, { hostDir: cacheDir(), nodeDir: '/var/lib/nomad-lab/host-cache' });
    const share = await ssh(
      e,
      'test -d /var/lib/nomad-lab/host-cache && ! sudo touch /var/lib/nomad-lab/host-cache/x 2>/dev/null && ' +
        'echo read-only',
    );
    t.is(share.stdout.trim(), 'read-only', share.all);
    const result = await ssh(e, 'hostname');
    t.is(result.exitCode, 0, result.all);
    t.is(result.stdout.trim(), e.node);
  }
});

test.serial('the nodes ping each other on the lab addresses', async (t) => {
  const addresses = endpoints.map((e) => e.labAddress).join(' ');
  for (const e of endpoints) {
    const result = await ssh(
      e,
      `for a in ${addresses}; do ping -c1 -W3 $a >/dev/null || echo "no answer from $a"; done`,
    );
    t.is(result.exitCode, 0, result.all);
    t.is(result.all, '', `${e.node}: ${result.all}`);
  }
});

test.serial("a person can still vagrant ssh into a machine from the lab's Vagrant folder", async (t) => {
  const result = await execa('vagrant', ['ssh', 'client1', '-c', 'hostname'], {
    cwd: vagrantDir(cluster),
    reject: false,
    all: true,
    env: { VAGRANT_CHECKPOINT_DISABLE: '1' },
  });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /^client1\s*$/m);
});

test.serial('a second up changes nothing, says so, and is fast', async (t) => {
  const lines: string[] = [];
  const started = performance.now();
  const again = await provider.up(cluster, { onProgress: (l) => lines.push(l) });
  const seconds = (performance.now() - started) / 1000;
  // The first up created the machines (their host keys are new); the second found them as they were.
  t.deepEqual(
    endpoints.map((e) => e.created),
    [true, true, true],
  );
  t.deepEqual(
    again,
    endpoints.map(({ created: _, ...e }) => e),
  );
  t.true(
    lines.includes('all 3 machines still running as last seen (docker inspect): nothing booted'),
    lines.join('\n'),
  );
  t.true(seconds < 10, `second up took ${seconds.toFixed(1)} s`);
  t.log(`second up: ${seconds.toFixed(1)} s`);
});

test.serial('down leaves no container or network of the lab, and a second down is fine', async (t) => {
  await provider.down(cluster);
  t.deepEqual(await leftovers(), []);
  t.deepEqual(
    (await provider.status(cluster)).map((s) => s.state),
    ['not_created', 'not_created', 'not_created'],
  );
  const lines: string[] = [];
  await t.notThrowsAsync(provider.down(cluster, { onProgress: (l) => lines.push(l) }));
  t.regex(lines.join('\n'), /none, so no Vagrant machines to destroy/);
});
