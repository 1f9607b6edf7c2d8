import { chmod, copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { loadCluster } from '../../src/config/load.ts';
import { cacheDir } from '../../src/host/dirs.ts';
import { artifactPath } from '../../src/artifacts/fetch.ts';
import { nodePlatform, parseVersionOutput, PRODUCTS } from '../../src/artifacts/products.ts';
import { nodeImageTag } from '../../src/images/node-image.ts';
import { NODE_CONTAINER_FLAGS } from '../../src/render/docker-node-flags.ts';
import { cli, requirePreparedHost } from './helpers.ts';

// Runs after `host prepare`, `image build` and `artifacts fetch` (the README's first
// quickstart command; .ci/run does the same): everything here is real.

test.before(requirePreparedHost);

async function container(t: { teardown(fn: () => unknown): void }, name: string, args: string[]): Promise<string> {
  await execa('docker', ['rm', '-f', name], { reject: false });
  await execa('docker', ['run', '-d', '--name', name, ...args]);
  t.teardown(() => execa('docker', ['rm', '-f', name], { reject: false }));
  return name;
}

test('doctor finds every required prerequisite', async (t) => {
  const result = await cli(['doctor']);
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /^ok +docker daemon +answers: /m);
});

test('doctor with the Docker daemon unreachable exits non-zero and names Docker and the fix', async (t) => {
  const result = await cli(['doctor'], { DOCKER_HOST: 'unix:///run/nomad-lab-test-no-such-docker.sock' });
  t.is(result.exitCode, 1);
  t.regex(
    result.stdout,
    /^MISSING +docker daemon +not answering: .*\n +fix: nomad-lab host prepare \(starts dockerd\)$/m,
  );
  t.regex(result.stderr, /required prerequisite is missing: docker daemon/);
});

test('a second host prepare changes nothing', async (t) => {
  const result = await cli(['host', 'prepare']);
  t.is(result.exitCode, 0, result.all);
  t.is(result.stdout, 'host: already prepared, nothing changed');
});

test('a second image build builds nothing', async (t) => {
  const result = await cli(['image', 'build']);
  t.is(result.exitCode, 0, result.all);
  t.regex(
    result.all,
    /node image nomadlab\/node:[0-9a-f]{12}-[0-9a-f]{6}: up to date/,
    'the default lab preloads its packages',
  );
  t.regex(result.all, /job image nomadlab\/whoami:[0-9a-f]{12}: up to date/);
  t.notRegex(result.all, /built/);
});

test('the node image boots systemd and lets vagrant in with sudo', async (t) => {
  const tag = await nodeImageTag('nomadlab/node');
  const name = await container(t, 'nomad-lab-test-node', ['--hostname', 'e2e-node', ...NODE_CONTAINER_FLAGS, tag]);
  let state = '';
  for (let i = 0; i < 60 && !/^(running|degraded)$/.test(state); i++) {
    await sleep(500);
    state = (await execa('docker', ['exec', name, 'systemctl', 'is-system-running'], { reject: false })).stdout.trim();
  }
  t.is(state, 'running');
  const { stdout: pid1 } = await execa('docker', ['exec', name, 'cat', '/proc/1/comm']);
  t.is(pid1, 'systemd');

  const { stdout: address } = await execa('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]);
  const gems = '/usr/share/rubygems-integration/all/gems';
  const vagrantGem = (await readdir(gems)).find((d) => d.startsWith('vagrant-'));
  // ssh refuses a key others can read; the packaged one is 0644.
  const key = join(await mkdtemp(join(tmpdir(), 'nomad-lab-key-')), 'vagrant');
  await copyFile(`${gems}/${vagrantGem}/keys/vagrant`, key);
  await chmod(key, 0o600);
  const ssh = await execa(
    'ssh',
    [
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=10',
      `vagrant@${address}`,
      'hostname && sudo -n id -u',
    ],
    { reject: false },
  );
  t.is(ssh.stdout, 'e2e-node\n0', ssh.stderr);
  const root = await execa(
    'ssh',
    [
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      `root@${address}`,
      'true',
    ],
    { reject: false },
  );
  t.not(root.exitCode, 0, "Vagrant's public insecure key must not log in as root");
});

test('the whoami tarball loads and answers with its hostname', async (t) => {
  const tarballs = (await readdir(`${cacheDir()}/images`)).filter((f) => /^whoami-[0-9a-f]{12}\.tar$/.test(f));
  t.is(tarballs.length >= 1, true);
  await execa('docker', ['load', '-i', `${cacheDir()}/images/${tarballs.at(-1)}`]);
  const name = await container(t, 'nomad-lab-test-whoami', [
    '--hostname',
    'e2e-whoami',
    '-p',
    '127.0.0.1::8080',
    'nomadlab/whoami:1',
  ]);
  const { stdout: port } = await execa('docker', ['port', name, '8080/tcp']);
  let body = '';
  for (let i = 0; i < 40 && !body; i++) {
    body = await fetch(`http://${port.split('\n')[0]}/`).then(
      (r) => r.text(),
      () => '',
    );
    if (!body) await sleep(250);
  }
  t.regex(body, /^Hostname: e2e-whoami$/m);
});

test('a second artifacts fetch fetches nothing, and the binaries are the pinned versions', async (t) => {
  const result = await cli(['artifacts', 'fetch']);
  t.is(result.exitCode, 0, result.all);
  const { spec } = await loadCluster('cluster.yaml');
  for (const product of PRODUCTS) {
    t.regex(result.all, new RegExp(`${product} ${spec.versions[product]}: already cached`));
    const binary = artifactPath(cacheDir(), product, spec.versions[product], nodePlatform());
    const { stdout } = await execa(binary, ['version']);
    t.is(parseVersionOutput(product, stdout), spec.versions[product]);
  }
});
