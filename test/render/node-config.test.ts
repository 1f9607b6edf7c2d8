import test from 'ava';
import { loadCluster } from '../../src/config/load.ts';
import { hclValue } from '../../src/render/hcl.ts';
import { renderNodeConfig } from '../../src/render/node-config.ts';
import { dockerAuthConfig, registryConfig } from '../../src/steps/registry.ts';
import { matchesGolden } from './golden.ts';

// A fixed, obviously fake key: golden files must never hold a real one.
const gossipKey = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
// mode container's agent image, named by a fake binary hash.
const nomadImage = 'nomadlab/nomad-agent:000000000000';

const labs: [string, string[]][] = [
  ['cluster.yaml', ['server', 'client1']],
  ['examples/ha.yaml', ['server2', 'client1']],
  ['examples/dev.yaml', ['dev']],
  ['examples/dev-mode.yaml', ['dev']],
  ['examples/container-mode.yaml', ['box']],
  ['examples/existing-hosts.yaml', ['worker1']],
  ['examples/episodes.yaml', ['server', 'client1', 'client2']],
  ['test/fixtures/drivers/cluster.yaml', ['solo', 'bare']],
  ['examples/registry.yaml', ['client1']],
  ['examples/podman.yaml', ['client1']],
];

for (const [file, nodes] of labs) {
  for (const name of nodes) {
    test(`${file} ${name}: rendered files match the golden files`, async (t) => {
      const { spec } = await loadCluster(file);
      const node = spec.nodes.find((n) => n.name === name)!;
      const files = renderNodeConfig({ spec, node, gossipKey, networkInterface: 'eth1', nomadImage });
      for (const f of files) {
        await matchesGolden(t, f.content, `test/fixtures/golden/${spec.name}/${name}${f.path}`);
      }
    });
  }
}

// Obviously fake tokens and PEM text: golden files must never hold real ones.
const security = {
  acl: {
    consulManagement: '00000000-0000-4000-8000-000000000001',
    consulAgent: '00000000-0000-4000-8000-000000000002',
    consulDns: '00000000-0000-4000-8000-000000000003',
    consulNomad: '00000000-0000-4000-8000-000000000004',
  },
  tls: { ca: 'FAKE CA PEM\n', cert: 'FAKE CERT PEM\n', key: 'FAKE KEY PEM\n' },
};

for (const name of ['server', 'client1']) {
  test(
    `cluster.yaml ${name} with security.acl and security.tls: security.hcl and the PEM files match the ` +
      `golden files`,
    async (t) => {
      const { spec } = await loadCluster('cluster.yaml');
      const secure = { ...spec, security: { acl: true, tls: true } };
      const node = spec.nodes.find((n) => n.name === name)!;
      const files = renderNodeConfig({ spec: secure, node, gossipKey, networkInterface: 'eth1', security });
      // Only what security adds: the other files are the default lab's, golden already.
      const added = files.filter((f) => f.path.endsWith('/security.hcl') || f.path.endsWith('.pem'));
      t.is(added.length, 8);
      for (const f of added)
        await matchesGolden(t, f.content, `test/fixtures/golden/nomad-lab-secure/${name}${f.path}`);
      const plain = renderNodeConfig({ spec, node, gossipKey, networkInterface: 'eth1' });
      t.deepEqual(
        files.filter((f) => !added.includes(f)),
        plain,
        'consul.hcl, nomad.hcl and the rest are as without security',
      );
      // Tokens and keys are written but never shown as a diff by `plan`; configs without secrets still are.
      const secrets = files.filter((f) => f.secret).map((f) => f.path);
      t.deepEqual(secrets, [
        '/etc/consul.d/security.hcl',
        '/etc/consul.d/tls-key.pem',
        '/etc/nomad.d/security.hcl',
        '/etc/nomad.d/tls-key.pem',
      ]);
      t.true(
        files
          .filter((f) => f.path.endsWith('security.hcl') || f.path.endsWith('-key.pem'))
          .every((f) => f.mode === 0o600),
      );
    },
  );
}

test('without security no security.hcl is written, and consul.hcl and nomad.hcl are as before', async (t) => {
  const { spec } = await loadCluster('cluster.yaml');
  const paths = renderNodeConfig({ spec, node: spec.nodes[0]!, gossipKey, networkInterface: 'eth1' }).map(
    (f) => f.path,
  );
  t.false(paths.some((p) => p.includes('security') || p.endsWith('.pem')));
});

test('a client gets no server.hcl and a server no client.hcl; both gets both', async (t) => {
  const paths = async (file: string, name: string) => {
    const { spec } = await loadCluster(file);
    return renderNodeConfig({
      spec,
      node: spec.nodes.find((n) => n.name === name)!,
      gossipKey,
      networkInterface: 'eth1',
    })
      .map((f) => f.path)
      .filter((p) => p.startsWith('/etc/nomad.d/'));
  };
  t.deepEqual(await paths('cluster.yaml', 'server'), ['/etc/nomad.d/nomad.hcl', '/etc/nomad.d/server.hcl']);
  t.deepEqual(await paths('cluster.yaml', 'client1'), ['/etc/nomad.d/nomad.hcl', '/etc/nomad.d/client.hcl']);
  t.deepEqual(await paths('examples/dev.yaml', 'dev'), [
    '/etc/nomad.d/nomad.hcl',
    '/etc/nomad.d/server.hcl',
    '/etc/nomad.d/client.hcl',
  ]);
});

test('mode dev: Consul reads no file, Nomad no server.hcl (-dev is the server); both units start -dev', async (t) => {
  const { spec } = await loadCluster('examples/dev-mode.yaml');
  const files = renderNodeConfig({ spec, node: spec.nodes[0]!, gossipKey, networkInterface: 'eth1' });
  t.deepEqual(
    files.map((f) => f.path),
    [
      '/etc/systemd/system/consul.service',
      '/etc/nomad.d/nomad.hcl',
      '/etc/nomad.d/client.hcl',
      '/etc/systemd/system/nomad.service',
    ],
  );
  const units = files.filter((f) => f.path.endsWith('.service')).map((f) => f.content);
  t.regex(
    units[0]!,
    /^ExecStart=\/usr\/local\/bin\/consul agent -dev -bind "10.83.0.10" -client "127.0.0.1 10.83.0.10" /m,
  );
  t.regex(units[1]!, /^ExecStart=\/usr\/local\/bin\/nomad agent -dev -bind "10.83.0.10" -network-interface "eth1" /m);
  t.notRegex(files.find((f) => f.path === '/etc/nomad.d/nomad.hcl')!.content, /data_dir/);
});

test('mode container: the Nomad unit runs the image given, the data folder at the same path inside', async (t) => {
  const { spec } = await loadCluster('examples/container-mode.yaml');
  const volumes = { ...spec.nodes[0]!, host_volumes: [{ name: 'data', path: '/srv/data', read_only: false }] };
  const files = renderNodeConfig({ spec, node: volumes, gossipKey, networkInterface: 'eth1', nomadImage });
  const unit = files.find((f) => f.path === '/etc/systemd/system/nomad.service')!.content;
  t.regex(
    unit,
    /-v \/opt\/nomad:\/opt\/nomad:rshared .* -v "\/srv\/data:\/srv\/data" \\\n {2}"nomadlab\/nomad-agent:0{12}" agent/s,
  );
  t.true(files.some((f) => f.path === '/etc/nomad.d/server.hcl'));
});

test('the gossip key file is readable by consul only', async (t) => {
  const { spec } = await loadCluster('cluster.yaml');
  const consulHcl = renderNodeConfig({ spec, node: spec.nodes[0]!, gossipKey, networkInterface: 'eth1' })[0]!;
  t.like(consulHcl, { path: '/etc/consul.d/consul.hcl', mode: 0o640, owner: 'consul', group: 'consul' });
});

const literals: [unknown, string][] = [
  ['dc1', '"dc1"'],
  ['a"b\\c', '"a\\"b\\\\c"'],
  ['${x} %{y}', '"$${x} %%{y}"'],
  // HCL has no \b or \f (JSON does): control characters are \uNNNN, the rest of Unicode stays as it is.
  ['a\bb\fc\u0000\u009b', '"a\\u0008b\\u000cc\\u0000\\u009b"'],
  ['\n\r\t', '"\\n\\r\\t"'],
  ['Grüße \u{1f600}', '"Grüße \u{1f600}"'],
  ['$${x}', '"$$${x}"'],
  [['10.0.0.1', '10.0.0.2'], '["10.0.0.1", "10.0.0.2"]'],
  [3, '3'],
  [false, 'false'],
];
for (const [value, literal] of literals) {
  test(`hclValue(${JSON.stringify(value)})`, (t) => t.is(hclValue(value), literal));
}

test("the registry's config.yml: htpasswd auth, TLS with the lab CA's certificate, an access log", async (t) => {
  const { spec } = await loadCluster('examples/registry.yaml');
  await matchesGolden(
    t,
    registryConfig(spec),
    'test/fixtures/golden/nomad-registry/server/etc/docker/registry/config.yml',
  );
});

test('the credentials a node gets for the registry: a Docker config.json for its address', (t) => {
  const config = JSON.parse(dockerAuthConfig('10.82.0.10:5000', 'nomadlab', 'FAKE-PASSWORD')) as unknown;
  t.deepEqual(config, {
    auths: { '10.82.0.10:5000': { auth: Buffer.from('nomadlab:FAKE-PASSWORD').toString('base64') } },
  });
});
