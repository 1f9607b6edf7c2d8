import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadCluster } from '../../src/config/load.ts';
import { sha256Of } from '../../src/ops/files.ts';
import { runPipeline, StepError } from '../../src/pipeline/runner.ts';
import { newUpState, type Products, type UpState } from '../../src/pipeline/state.ts';
import { providerFor } from '../../src/providers/index.ts';
import type { AnyStep } from '../../src/pipeline/step.ts';
import { configureConsul } from '../../src/steps/configure-consul.ts';
import { configureNomad } from '../../src/steps/configure-nomad.ts';
import { installHashicorp } from '../../src/steps/install-hashicorp.ts';
import { installPackages } from '../../src/steps/install-packages.ts';
import { loadJobImages } from '../../src/steps/load-job-images.ts';
import { resolveConsulDns } from '../../src/steps/resolve-consul-dns.ts';
import { fakeCluster } from './helpers/fake-node.ts';

// The remote steps of `up`, in order, against in-memory nodes (FakeNode): which commands reach which node.

const REMOTE_STEPS: AnyStep[] = [
  installPackages,
  installHashicorp,
  configureConsul,
  resolveConsulDns,
  configureNomad,
  loadJobImages,
];

async function hostInputs(): Promise<Pick<Products, 'artifacts' | 'tarballs'>> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-pipeline-'));
  const file = async (name: string, content: string) => {
    await writeFile(join(dir, name), content);
    return join(dir, name);
  };
  const artifact = async (product: 'consul' | 'nomad') => {
    const path = await file(product, `${product} binary\n`);
    return {
      product,
      version: '1.0.0',
      platform: 'linux_amd64',
      path,
      sha256: await sha256Of({ localPath: path }),
      size: 14,
      from: 'cache' as const,
    };
  };
  const tarball = await file('whoami-abc.tar', 'a docker save tarball\n');
  return {
    artifacts: { consul: await artifact('consul'), nomad: await artifact('nomad') },
    tarballs: [{ file: tarball, tag: 'nomadlab/whoami:abc', sha256: await sha256Of({ localPath: tarball }) }],
  };
}

async function lab(file = 'cluster.yaml') {
  const cluster = await loadCluster(file);
  const nodes = fakeCluster(cluster.spec.nodes.map((n) => ({ name: n.name, address: n.address })));
  const inputs = await hostInputs();
  const run = async (): Promise<UpState> => {
    const state: UpState = {
      ...newUpState(cluster, { provider: providerFor(cluster) }),
      ...inputs,
      remotes: nodes,
      gossipKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      security: {},
    };
    await runPipeline(REMOTE_STEPS, state);
    return state;
  };
  const node = (name: string) => nodes.get(name)!;
  for (const n of nodes.values()) n.tarballTags.set('/var/lib/nomad-lab/images/whoami-abc.tar', 'nomadlab/whoami:abc');
  return { cluster, nodes, node, run };
}

test('a fresh server gets the commands of every step, in order', async (t) => {
  const { node, run } = await lab();
  await run();
  t.deepEqual(node('server').take(), [
    'apt-get install dnsmasq',
    'useradd --system --home-dir /etc/consul.d --shell /bin/false consul',
    'install -d -m 750 -o consul -g consul /etc/consul.d',
    'install -d -m 750 -o consul -g consul /opt/consul',
    'install -d -m 750 -o root -g root /etc/nomad.d',
    'install -d -m 711 -o root -g root /opt/nomad',
    'install -d -m 755 -o root -g root /etc/nomad-lab',
    'put /usr/local/bin/consul',
    'put /usr/local/bin/nomad',
    'put /etc/consul.d/consul.hcl',
    'put /etc/systemd/system/consul.service',
    'systemctl daemon-reload',
    'systemctl enable consul',
    'systemctl restart consul',
    'put /etc/nomad-lab/resolv.upstream',
    'put /etc/dnsmasq.d/10-consul.conf',
    'systemctl enable dnsmasq',
    'systemctl restart dnsmasq',
    'write /etc/resolv.conf',
    'put /etc/nomad.d/nomad.hcl',
    'put /etc/nomad.d/server.hcl',
    'put /etc/systemd/system/nomad.service',
    'systemctl daemon-reload',
    'systemctl enable nomad',
    'systemctl restart nomad',
  ]);
});

test(
  "the agents are asked through the first server's SSH channel: " + "Consul's members, Nomad's leader and nodes",
  async (t) => {
    const { node, run } = await lab();
    await run();
    const asked = new Set(node('server').requests);
    t.deepEqual([...asked].sort(), [
      'Consul API GET /v1/agent/members',
      'Nomad API GET /v1/nodes',
      'Nomad API GET /v1/status/leader',
    ]);
    t.deepEqual(node('client1').requests, [], 'every member alive: no node is asked to join');
  },
);

// Debian's docker.io starts dockerd on install; the fake does not, so its daemon.json is followed by a (re)start.
test(
  'a fresh client also gets Docker (with its daemon.json), ' + 'a host volume folder, client.hcl and the job images',
  async (t) => {
    const { node, run } = await lab();
    await run();
    const commands = node('client1').take();
    t.deepEqual(commands.slice(0, 4), [
      'apt-get install dnsmasq docker.io',
      'put /etc/docker/daemon.json',
      'systemctl enable docker',
      'systemctl restart docker',
    ]);
    t.true(commands.includes('install -d -m 755 -o root -g root -- /srv/nomad/data'));
    t.true(
      commands.indexOf('install -d -m 755 -o root -g root -- /srv/nomad/data') <
        commands.indexOf('systemctl restart nomad'),
      'the volume folder exists before Nomad starts',
    );
    t.true(commands.includes('put /etc/nomad.d/client.hcl'));
    t.false(commands.includes('put /etc/nomad.d/server.hcl'));
    t.deepEqual(commands.slice(-3), [
      'install -d -m 700 -o root -g root /var/lib/nomad-lab/images',
      'put /var/lib/nomad-lab/images/whoami-abc.tar',
      'docker load -i /var/lib/nomad-lab/images/whoami-abc.tar',
    ]);
  },
);

test('a converged lab gets no command at all: facts only', async (t) => {
  const { nodes, run } = await lab();
  await run();
  for (const n of nodes.values()) n.take();
  const again = await run();
  t.deepEqual(again.changes, []);
  for (const n of nodes.values()) t.deepEqual(n.take(), [], n.node);
});

test('a config edited by hand: its file written back, its service restarted, recorded with step, reason', async (t) => {
  const { nodes, node, run } = await lab();
  await run();
  for (const n of nodes.values()) n.take();
  const file = node('client1').files.get('/etc/consul.d/consul.hcl')!;
  file.content = Buffer.concat([file.content, Buffer.from('# edited by hand\n')]);
  const state = await run();
  t.deepEqual(node('client1').take(), ['put /etc/consul.d/consul.hcl', 'systemctl restart consul']);
  t.deepEqual(
    state.changes.map((c) => `${c.node} [${c.step}]: ${c.description}${c.reason ? ` (${c.reason})` : ''}`),
    [
      'client1 [configure Consul]: wrote /etc/consul.d/consul.hcl (content) (its content differs)',
      'client1 [configure Consul]: restart consul (/etc/consul.d/consul.hcl changed)',
    ],
  );
  for (const other of ['server', 'client2']) t.deepEqual(node(other).take(), [], other);
});

test(
  'a failure on one node names the node and the step; ' + 'the other nodes finish that step, no later step runs',
  async (t) => {
    const { node, run } = await lab();
    node('client2').failing.add('apt-get install dnsmasq docker.io');
    const error = await t.throwsAsync(run(), { instanceOf: StepError });
    t.is(error.step, 'install packages (docker, dnsmasq)');
    t.regex(error.message, /^\[client2\] exit 1: apt-get install dnsmasq docker.io/);
    t.deepEqual(node('client2').take(), []);
    t.deepEqual(node('client1').take().slice(0, 1), ['apt-get install dnsmasq docker.io']);
    t.false(
      node('server').log.some((c) => c.includes('/usr/local/bin')),
      'install Consul and Nomad did not run',
    );
  },
);

test(
  'dnsmasq removed by hand: the upstream resolvers are put back before apt installs it, then resolv.conf ' +
    'names it again',
  async (t) => {
    const { nodes, node, run } = await lab();
    await run();
    for (const n of nodes.values()) n.take();
    const client = node('client1');
    const ours = client.files.get('/etc/resolv.conf')!.content.toString();
    client.packages.delete('dnsmasq');
    Object.assign(client.units.get('dnsmasq')!, { active: false });
    await run();
    t.deepEqual(client.take().slice(0, 2), ['write /etc/resolv.conf', 'apt-get install dnsmasq']);
    t.is(client.files.get('/etc/resolv.conf')!.content.toString(), ours, 'named dnsmasq again at the end');
    t.deepEqual(node('client2').take(), [], 'a node with dnsmasq running is left alone');
  },
);

test(
  'existing hosts: systemd-resolved on 127.0.0.53 keeps port 53 and forwards .consul; no dnsmasq, ' +
    'resolv.conf untouched',
  async (t) => {
    const { node, run } = await lab('examples/existing-hosts.yaml');
    const host = node('hashi1');
    host.packages.add('systemd-resolved');
    host.units.set('systemd-resolved', { active: true, enabled: true, failed: false, starts: 1 });
    const resolv = host.files.get('/etc/resolv.conf')!.content.toString();
    await run();
    const commands = host.take();
    t.false(
      commands.some((c) => c.includes('dnsmasq')),
      commands.join('\n'),
    );
    t.true(commands.includes('put /etc/systemd/resolved.conf.d/nomad-lab-consul.conf'));
    t.true(
      commands.indexOf('systemctl restart systemd-resolved') >
        commands.indexOf('put /etc/systemd/resolved.conf.d/nomad-lab-consul.conf'),
    );
    t.is(host.files.get('/etc/resolv.conf')!.content.toString(), resolv);
    t.regex(
      host.files.get('/etc/systemd/resolved.conf.d/nomad-lab-consul.conf')!.content.toString(),
      /^\[Resolve\]\nDNS=127\.0\.0\.1:8600\nDNSSEC=false\nDomains=~consul$/m,
    );
    t.true(
      node('worker1').take().includes('apt-get install dnsmasq docker.io'),
      'a host without resolved gets dnsmasq',
    );
    await run();
    t.deepEqual(host.take(), [], 'converged');
  },
);
