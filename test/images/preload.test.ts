import test from 'ava';
import { loadCluster } from '../../src/config/load.ts';
import { preloadedPackages } from '../../src/config/machines.ts';
import { nodeImageTag, nodeRecipeHash, preloadDockerfile } from '../../src/images/node-image.ts';

test('the default lab preloads what its nodes install: dnsmasq, and docker.io for its clients', async (t) => {
  const { spec } = await loadCluster('cluster.yaml');
  t.deepEqual(preloadedPackages(spec), ['dnsmasq', 'docker.io']);
  t.deepEqual(preloadedPackages({ ...spec, nodes: spec.nodes.filter((n) => n.role === 'server') }), ['dnsmasq']);
});

test('preload: false, VMs and existing hosts preload nothing', async (t) => {
  const { spec } = await loadCluster('cluster.yaml');
  if (spec.provider.type !== 'vagrant') throw new Error('the default lab is a vagrant lab');
  t.deepEqual(preloadedPackages({ ...spec, provider: { ...spec.provider, preload: false } }), []);
  t.deepEqual(preloadedPackages({ ...spec, provider: { ...spec.provider, backend: 'virtualbox' } }), []);
  t.deepEqual(preloadedPackages({ ...spec, provider: { type: 'ssh', port: 22, user: 'admin' } }), []);
});

test('the preloaded image is tagged by the bare recipe and its packages; no packages, the bare tag', async (t) => {
  const hash = await nodeRecipeHash();
  t.is(await nodeImageTag('nomadlab/node'), `nomadlab/node:${hash}`);
  const tag = await nodeImageTag('nomadlab/node', ['docker.io', 'dnsmasq']);
  t.regex(tag, new RegExp(`^nomadlab/node:${hash}-[0-9a-f]{6}$`));
  t.is(await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io']), tag, 'order does not matter');
  t.not(await nodeImageTag('nomadlab/node', ['dnsmasq']), tag);
});

test(
  'the preload layer installs as a node would and enables ' + 'none of what it installed; only package names reach it',
  (t) => {
    const text = preloadDockerfile('nomadlab/node:abc', ['docker.io', 'dnsmasq']);
    t.regex(text, /^FROM nomadlab\/node:abc\n/);
    t.regex(text, /apt-get install -y -q -o Acquire::Retries=3 --no-install-recommends dnsmasq docker\.io/);
    t.regex(text, /comm -13 \/tmp\/enabled-before \/tmp\/enabled-after\); do systemctl disable "\$unit"/);
    for (const bad of ['docker.io; rm -rf /', '$(id)', '-y', 'Docker', ''])
      t.throws(() => preloadDockerfile('b', [bad]), { message: /not a Debian package name/ });
  },
);
