import test from 'ava';
import { loadCluster, parseCluster } from '../../src/config/load.ts';
import { enabledDrivers, podmanNodes } from '../../src/config/drivers.ts';
import { nodePackages, PODMAN_PACKAGES, preloadedPackages } from '../../src/config/machines.ts';
import { ConfigError, formatIssue } from '../../src/errors.ts';

// drivers.podman: lab-wide or per node like docker; podman comes with apt at `up`, never in the node image.

const LAB = `version: 1
network: { cidr: 10.81.0.0/24 }
nodes:
  - { name: server, role: server, address: 10.81.0.10 }
  - { name: client1, role: client, address: 10.81.0.11, drivers: { podman: { enabled: true } } }
  - { name: client2, role: client, address: 10.81.0.12 }
`;
const parse = (text: string) => parseCluster(text, { displayName: 'cluster.yaml', baseDir: process.cwd() }).spec;

test('the example enables podman on client1 beside docker; verify expects both there', async (t) => {
  const { spec } = await loadCluster('examples/podman.yaml');
  t.deepEqual(
    spec.nodes.map((n) => enabledDrivers(spec, n)),
    [[], ['docker', 'podman']],
  );
  t.deepEqual(
    podmanNodes(spec).map((n) => n.name),
    ['client1'],
  );
});

test("podman's plugin options default to the driver's own defaults", (t) => {
  const spec = parse(LAB);
  t.like(spec.drivers.podman, {
    enabled: false,
    socket_path: '/run/podman/podman.sock',
    volumes: { enabled: true },
    gc: { container: true },
    recover_stopped: false,
    extra_labels: [],
  });
});

test('lab-wide podman on every client; a node entry turns it off there', (t) => {
  const spec = parse(
    LAB.replace('drivers: { podman: { enabled: true } }', 'drivers: { podman: { enabled: false } }') +
      'drivers: { podman: { enabled: true } }\n',
  );
  t.deepEqual(
    spec.nodes.map((n) => enabledDrivers(spec, n)),
    [[], ['docker'], ['docker', 'podman']],
  );
});

test('podman clients install podman with apt at up; the node image carries none of it', (t) => {
  const spec = parse(LAB);
  const names = (node: string) =>
    nodePackages(
      spec,
      spec.nodes.find((n) => n.name === node)!,
    ).map((p) => p.name);
  t.deepEqual(names('client1'), ['dnsmasq', 'docker.io', ...PODMAN_PACKAGES]);
  t.deepEqual(names('client2'), ['dnsmasq', 'docker.io']);
  t.deepEqual(preloadedPackages(spec), ['dnsmasq', 'docker.io']);
});

test('bad podman options and a bad archive sha256 are reported together, each at its line', (t) => {
  const text =
    LAB.replace(
      'drivers: { podman: { enabled: true } }',
      'drivers: { podman: { enabled: true, extra_labels: ["job name"], volumes: { selinuxlabel: x } } }',
    ) + 'artifacts: { podman: { sha256: abc } }\n';
  const error = t.throws(() => parse(text), { instanceOf: ConfigError });
  t.deepEqual(error?.issues.map(formatIssue), [
    'cluster.yaml:5:108 nodes[1].drivers.podman.extra_labels[0]: must be a label name like job_name or ' +
      'task_group_name, or a glob like task*, got "job name"',
    'cluster.yaml:5:146 nodes[1].drivers.podman.volumes.selinuxlabel: expected one of "z", "Z", got "x"; did ' +
      'you mean "z"?',
    'cluster.yaml:7:32 artifacts.podman.sha256: must be a sha256 in hex: 64 lowercase hexadecimal digits, got "abc"',
  ]);
});

test('a source archive path that is not there is an error at its line; a URL is not checked', (t) => {
  const missing = t.throws(() => parse(`${LAB}artifacts: { podman: { archive: no-such.tar.gz } }\n`), {
    instanceOf: ConfigError,
  });
  t.regex(missing?.issues.map(formatIssue).join('\n') ?? '', /artifacts\.podman\.archive: .*no-such\.tar\.gz/);
  t.notThrows(() => parse(`${LAB}artifacts: { podman: { archive: "https://example.com/p.tar.gz" } }\n`));
});
