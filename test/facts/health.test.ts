import test from 'ava';
import { clientsNotReady, membersNotAlive, parseConsulMembers } from '../../src/facts/health.ts';

const members = `Node     Address          Status  Type    Build   Protocol  DC   Partition  Segment
server   10.77.0.10:8301  alive   server  1.22.7  2         dc1  default    <all>
client1  10.77.0.11:8301  alive   client  1.22.7  2         dc1  default    <default>
client2  10.77.0.12:8301  failed  client  1.22.7  2         dc1  default    <default>
`;

test('consul members: parsed, and the ones not alive named', (t) => {
  const parsed = parseConsulMembers(members);
  t.deepEqual(
    parsed.map((m) => [m.name, m.status, m.type]),
    [
      ['server', 'alive', 'server'],
      ['client1', 'alive', 'client'],
      ['client2', 'failed', 'client'],
    ],
  );
  t.deepEqual(membersNotAlive(parsed, ['server', 'client1', 'client2', 'client3']), [
    'client2 failed',
    'client3 not a member',
  ]);
});

test('nomad nodes: ready with docker healthy, or why not', (t) => {
  const nodes = JSON.stringify([
    { Name: 'client1', Status: 'ready', Drivers: { docker: { Detected: true, Healthy: true } } },
    { Name: 'client2', Status: 'initializing', Drivers: {} },
    {
      Name: 'client3',
      Status: 'ready',
      Drivers: { docker: { Detected: true, Healthy: false, HealthDescription: 'Failed to connect to docker daemon' } },
    },
  ]);
  t.deepEqual(clientsNotReady(nodes, ['client1', 'client2', 'client3', 'client4']), [
    'client2 initializing',
    'client3 docker driver unhealthy: Failed to connect to docker daemon',
    'client4 not registered',
  ]);
});

test(
  'nomad nodes: a machine re-created under its name is ' + 'judged by its ready registration, whatever the order',
  (t) => {
    const old = { Name: 'client2', Status: 'down', Drivers: { docker: { Detected: true, Healthy: true } } };
    const anew = { Name: 'client2', Status: 'ready', Drivers: { docker: { Detected: true, Healthy: true } } };
    t.deepEqual(clientsNotReady(JSON.stringify([old, anew]), ['client2']), []);
    t.deepEqual(clientsNotReady(JSON.stringify([anew, old]), ['client2']), []);
    t.deepEqual(clientsNotReady(JSON.stringify([old]), ['client2']), ['client2 down']);
  },
);

test('nomad nodes: each client is held to the drivers it enables, and only those', (t) => {
  const nodes = JSON.stringify([
    { Name: 'client1', Status: 'ready', Drivers: { raw_exec: { Detected: true, Healthy: true } } },
    { Name: 'client2', Status: 'ready', Drivers: { docker: { Detected: true, Healthy: true } } },
  ]);
  t.deepEqual(
    clientsNotReady(nodes, [
      { name: 'client1', drivers: ['raw_exec'] },
      { name: 'client2', drivers: ['docker', 'raw_exec'] },
    ]),
    ['client2 raw_exec driver missing'],
  );
});
