import test from 'ava';
import { loadCluster } from '../../src/config/load.ts';
import { enabledDrivers } from '../../src/config/drivers.ts';
import { clusterExpectation } from '../../src/verify/verify-cluster.ts';

test(
  'a node entry replaces the lab-wide entry of its driver: ' + 'raw_exec on client1, not on client2, none on a server',
  async (t) => {
    const { spec } = await loadCluster('examples/episodes.yaml');
    t.deepEqual(Object.fromEntries(spec.nodes.map((n) => [n.name, enabledDrivers(spec, n)])), {
      server: [],
      client1: ['docker', 'raw_exec'],
      client2: ['docker'],
    });
    t.deepEqual(
      clusterExpectation(spec).nodes.map((n) => n.drivers),
      [[], ['docker', 'raw_exec'], ['docker']],
    );
  },
);

test('docker off on one node: only raw_exec is expected there', async (t) => {
  const { spec } = await loadCluster('test/fixtures/drivers/cluster.yaml');
  t.deepEqual(
    spec.nodes.map((n) => enabledDrivers(spec, n)),
    [['docker'], ['raw_exec']],
  );
});

test('a verify spec without drivers (a library caller) expects docker on every client', (t) => {
  const spec = {
    nodes: [
      { name: 's', role: 'server' as const, address: '10.0.0.2' },
      { name: 'c', role: 'client' as const, address: '10.0.0.3' },
    ],
    services: [],
  };
  t.deepEqual(
    clusterExpectation(spec).nodes.map((n) => n.drivers),
    [[], ['docker']],
  );
});
