import test from 'ava';
import { readdir } from 'node:fs/promises';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { loadCluster, parseCluster } from '../../src/config/load.ts';
import { formatIssue } from '../../src/errors.ts';

const files = [
  'cluster.yaml',
  'examples/dev.yaml',
  'examples/dev-mode.yaml',
  'examples/container-mode.yaml',
  'examples/ha.yaml',
  'examples/existing-hosts.yaml',
];
for (const file of files) {
  test(`${file} is valid with no warnings`, async (t) => {
    const cluster = await loadCluster(file);
    t.deepEqual(cluster.warnings.map(formatIssue), []);
    t.true(cluster.spec.nodes.some((n) => n.role !== 'client'));
  });
}

test('the default lab is one server and two clients in dc1 on the vagrant docker backend', async (t) => {
  const { spec } = await loadCluster('cluster.yaml');
  t.deepEqual(
    spec.nodes.map((n) => [n.name, n.role, n.address]),
    [
      ['server', 'server', '10.77.0.10'],
      ['client1', 'client', '10.77.0.11'],
      ['client2', 'client', '10.77.0.12'],
    ],
  );
  t.is(spec.datacenter, 'dc1');
  t.like(spec.provider, { type: 'vagrant', backend: 'docker' });
  t.deepEqual(
    spec.services.map((s) => [s.name, s.count, s.check]),
    [
      ['whoami', 2, 'http'],
      ['web', 2, 'http'],
      ['db', 1, 'tcp'],
      ['stateful', 1, 'http'],
    ],
  );
});

const minimal = 'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 }\n';

test('defaults are filled in from DEFAULTS', (t) => {
  const { spec } = parseCluster(minimal, { displayName: 'x.yaml', baseDir: '.' });
  t.is(spec.datacenter, DEFAULTS.datacenter);
  t.deepEqual(spec.versions, DEFAULTS.versions);
  t.like(spec.provider, { type: 'vagrant', image: DEFAULTS.provider.image });
  t.like(spec.nodes[0], { cpus: DEFAULTS.node.cpus, memory: DEFAULTS.node.memory, host_volumes: [] });
  t.deepEqual(spec.jobs, []);
});

test('an even number of servers is a warning, not an error', (t) => {
  const text =
    'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: server, address: 10.9.0.2 }\n  - ' +
    '{ name: b, role: both, address: 10.9.0.3 }\n';
  const { warnings } = parseCluster(text, { displayName: 'even.yaml', baseDir: '.' });
  t.deepEqual(warnings.map(formatIssue), [
    'even.yaml:4:3 nodes: warning: 2 servers tolerate no more failures than 1: an odd count (1, 3, 5) is the ' +
      'usual choice',
  ]);
});

test('ssh provider defaults reach every node, and a node may override them', (t) => {
  const text =
    'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nprovider: { type: ssh, user: admin }\nnodes:\n  - { name: a, ' +
    'role: both, address: 10.9.0.2, ssh: { port: 2222 } }\n';
  const { spec } = parseCluster(text, { displayName: 'ssh.yaml', baseDir: '.' });
  t.deepEqual(spec.provider, { type: 'ssh', user: 'admin', port: 22 });
  t.deepEqual(spec.nodes[0]?.ssh, { port: 2222 });
});

test('dns lookups: none by default; A with a datacenter, tagged and RFC 2782 SRV, a node, counts optional', (t) => {
  t.deepEqual(parseCluster(minimal, { displayName: 'x.yaml', baseDir: '.' }).spec.dns, []);
  const lookups = [
    { name: 'todo-db.service.dc1.consul', type: 'A', count: 1 },
    { name: 'http.todo-web.service.consul', type: 'SRV', count: 2 },
    { name: '_todo-web._http.service.consul', type: 'SRV' },
    { name: 'todo-db.service.dc1.dc.consul', type: 'A' },
    { name: 'a.node.consul', type: 'A' },
  ];
  const text = `${minimal}datacenter: dc1\ndns:\n${lookups.map((l) => `  - ${JSON.stringify(l)}\n`).join('')}`;
  t.deepEqual(parseCluster(text, { displayName: 'x.yaml', baseDir: '.' }).spec.dns, lookups);
});

test('the starter labs and examples can all be up at once: each its own name and private network', async (t) => {
  const labs = [
    'cluster.yaml',
    ...(await readdir('examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ];
  const specs = await Promise.all(labs.map(async (file) => ({ file, spec: (await loadCluster(file)).spec })));
  const taken = (key: (spec: (typeof specs)[number]['spec']) => string) => {
    const by = new Map<string, string[]>();
    for (const { file, spec } of specs) by.set(key(spec), [...(by.get(key(spec)) ?? []), file]);
    return [...by].filter(([, same]) => same.length > 1).map(([value, same]) => `${value}: ${same.join(', ')}`);
  };
  t.deepEqual(
    taken((s) => s.name),
    [],
  );
  t.deepEqual(
    taken((s) => s.network.cidr),
    [],
  );
  t.true(labs.length >= 9, labs.join(', '));
});
