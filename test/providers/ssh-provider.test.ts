import { createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { providerFor } from '../../src/providers/index.ts';
import { SshProvider, sshEndpoints } from '../../src/providers/ssh-provider.ts';
import { VagrantProvider } from '../../src/providers/vagrant/vagrant-provider.ts';

test('existing hosts: provider defaults, node overrides, host defaulting to the address', async (t) => {
  const cluster = await loadCluster('examples/existing-hosts.yaml');
  t.deepEqual(sshEndpoints(cluster), [
    { node: 'hashi1', host: '192.168.50.10', port: 22, user: 'admin', labAddress: '192.168.50.10' },
    { node: 'worker1', host: '192.168.50.21', port: 22, user: 'admin', labAddress: '192.168.50.21' },
    { node: 'worker2', host: 'worker2.example.internal', port: 2222, user: 'admin', labAddress: '192.168.50.22' },
  ]);
});

test("keys resolve against the cluster file's folder, and ~/ against home", async (t) => {
  const cluster = await loadCluster('examples/existing-hosts.yaml');
  const spec = structuredClone(cluster.spec);
  if (spec.provider.type !== 'ssh') return t.fail();
  spec.provider.key = 'keys/lab';
  spec.nodes[2]!.ssh = { ...spec.nodes[2]!.ssh, key: '~/.ssh/other', user: 'ops' };
  const endpoints = sshEndpoints({ dir: '/labs/a', spec });
  t.is(endpoints[0]!.privateKeyPath, '/labs/a/keys/lab');
  t.is(endpoints[2]!.privateKeyPath, join(homedir(), '.ssh/other'));
  t.is(endpoints[2]!.user, 'ops');
});

test('up boots nothing and down destroys nothing, and both say so', async (t) => {
  const cluster = await loadCluster('examples/existing-hosts.yaml');
  const lines: string[] = [];
  const provider = new SshProvider();
  t.is((await provider.up(cluster, { onProgress: (l) => lines.push(l) })).length, 3);
  await provider.down(cluster, { onProgress: (l) => lines.push(l) });
  t.deepEqual(lines, [
    'existing hosts: nothing to boot (3 nodes)',
    'existing hosts: nothing destroyed (hashi1, worker1, worker2 keep running)',
  ]);
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

test('status: running when an SSH server greets; unknown when refused, silent or not SSH', async (t) => {
  const ssh = createServer((socket) => socket.end('a banner line first\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
  const silent = createServer(() => undefined);
  const web = createServer((socket) => socket.end('HTTP/1.1 404 Not Found\r\n\r\n'));
  const ports = [await listen(ssh), await listen(silent), await listen(web)];
  const closedServer = createServer();
  const closed = await listen(closedServer);
  await new Promise((resolve) => closedServer.close(resolve));
  t.teardown(() => {
    for (const server of [ssh, silent, web]) server.close();
  });
  const base = await loadCluster('examples/existing-hosts.yaml');
  const spec = structuredClone(base.spec);
  spec.nodes = [...ports, closed].map((port, i) => ({
    ...structuredClone(base.spec.nodes[1]!),
    name: `h${i}`,
    address: `192.168.50.${30 + i}`,
    ssh: { host: '127.0.0.1', port },
  }));
  const cluster: Cluster = { ...base, spec };
  const statuses = await new SshProvider({ probeTimeout: 500 }).status(cluster);
  t.deepEqual(
    statuses.map((s) => s.state),
    ['running', 'unknown', 'unknown', 'unknown'],
  );
  t.deepEqual(
    statuses.map((s) => s.detail.replace(/:\d+ /, ':PORT ')),
    [
      '127.0.0.1:PORT answers SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
      '127.0.0.1:PORT accepts connections but sends no SSH greeting within 500 ms',
      '127.0.0.1:PORT closed the connection without an SSH greeting',
      '127.0.0.1:PORT not reachable (ECONNREFUSED)',
    ],
  );
});

test('providerFor picks the provider the file names', async (t) => {
  t.true(providerFor(await loadCluster('examples/existing-hosts.yaml')) instanceof SshProvider);
  t.true(providerFor(await loadCluster('cluster.yaml')) instanceof VagrantProvider);
});
