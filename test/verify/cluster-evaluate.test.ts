import test from 'ava';
import { VerifyError } from '../../src/errors.ts';
import { evaluateCluster, type ClusterExpectation } from '../../src/verify/cluster-evaluate.ts';
import type { ConsulAgentSelf, NomadAgentSelf, NomadNode } from '../../src/remote/agent-types.ts';
import type { ClusterFacts } from '../../src/verify/cluster-facts.ts';
import { clusterExpectation } from '../../src/verify/verify-cluster.ts';

// The default lab's shape: server, client1 (host volume "data"), client2; facts as the agents' APIs answer.

const want: ClusterExpectation = clusterExpectation({
  nodes: [
    { name: 'server', role: 'server', address: '10.77.0.10' },
    { name: 'client1', role: 'client', address: '10.77.0.11', host_volumes: [{ name: 'data' }] },
    { name: 'client2', role: 'client', address: '10.77.0.12' },
  ],
  services: [],
});

const consulAgent = (name: string, server: boolean): ConsulAgentSelf => ({
  Config: { Datacenter: 'dc1', NodeName: name, Server: server },
});
const nomadAgent = (server: boolean): NomadAgentSelf => ({
  config: { Region: 'global', Datacenter: 'dc1', Server: { Enabled: server }, Client: { Enabled: !server } },
});
const nomadNode = (name: string, volumes: string[] = []): NomadNode => ({
  ID: `id-${name}`,
  Name: name,
  Datacenter: 'dc1',
  Status: 'ready',
  SchedulingEligibility: 'eligible',
  Drivers: {
    docker: { Detected: true, Healthy: true, HealthDescription: 'Healthy' },
    raw_exec: { Detected: false, Healthy: false },
  },
  HostVolumes: Object.fromEntries(volumes.map((v) => [v, { Path: `/srv/nomad/${v}`, ReadOnly: false }])),
});

function healthy(): ClusterFacts {
  return {
    consulAgents: new Map([
      ['server', consulAgent('server', true)],
      ['client1', consulAgent('client1', false)],
      ['client2', consulAgent('client2', false)],
    ]),
    nomadAgents: new Map([
      ['server', nomadAgent(true)],
      ['client1', nomadAgent(false)],
      ['client2', nomadAgent(false)],
    ]),
    consul: {
      from: 'server',
      leader: '10.77.0.10:8300',
      members: [
        { Name: 'server', Addr: '10.77.0.10', Status: 1, Tags: { role: 'consul', dc: 'dc1' } },
        { Name: 'client1', Addr: '10.77.0.11', Status: 1, Tags: { role: 'node', dc: 'dc1' } },
        { Name: 'client2', Addr: '10.77.0.12', Status: 1, Tags: { role: 'node', dc: 'dc1' } },
      ],
      raft: [{ Node: 'server', Address: '10.77.0.10:8300', Leader: true, Voter: true }],
    },
    nomad: {
      from: 'server',
      leader: '10.77.0.10:4647',
      members: [
        {
          Name: 'server.global',
          Addr: '10.77.0.10',
          Status: 'alive',
          Tags: { region: 'global', dc: 'dc1', role: 'nomad' },
        },
      ],
      nodes: [nomadNode('client1', ['data']), nomadNode('client2')],
    },
  };
}

const failed = (facts: ClusterFacts) =>
  evaluateCluster(want, facts)
    .filter((r) => !r.ok)
    .map((r) => r.message);

test('a healthy lab passes every cluster check, one per expectation, in a stable order', (t) => {
  const results = evaluateCluster(want, healthy());
  t.deepEqual(
    results.filter((r) => !r.ok),
    [],
  );
  t.deepEqual(
    results.map((r) => r.name),
    [
      'consul: leader',
      'consul: agent on server',
      'consul: agent on client1',
      'consul: agent on client2',
      'consul: member server',
      'consul: member client1',
      'consul: member client2',
      'consul: raft voter server',
      'nomad: leader',
      'nomad: agent on server',
      'nomad: agent on client1',
      'nomad: agent on client2',
      'nomad: server server',
      'nomad: client client1',
      'nomad: drivers on client1',
      'nomad: host volumes on client1',
      'nomad: client client2',
      'nomad: drivers on client2',
    ],
  );
  t.is(results.find((r) => r.name === 'nomad: drivers on client2')?.actual, 'docker healthy');
});

test("a client whose Nomad lost its client config: the node's own agent says so", (t) => {
  const facts = healthy();
  facts.nomadAgents.set('client1', {
    config: { Region: 'global', Datacenter: 'dc1', Server: { Enabled: false }, Client: { Enabled: false } },
  });
  t.deepEqual(failed(facts), [
    'nomad: agent on client1 (its own Nomad API): expected client in global/dc1, got neither server nor client ' +
      'in global/dc1',
  ]);
});

test('a client whose Consul stopped: its agent does not answer and the servers see it left', (t) => {
  const facts = healthy();
  facts.consulAgents.set('client2', new VerifyError('GET http://10.77.0.12:8500/v1/agent/self', 'ECONNREFUSED'));
  facts.consul = { ...(facts.consul as Exclude<ClusterFacts['consul'], VerifyError>) };
  facts.consul.members = facts.consul.members.map((m) => (m.Name === 'client2' ? { ...m, Status: 3 } : m));
  t.deepEqual(failed(facts), [
    'consul: agent on client2 (its own Consul API): expected client client2 in dc1, got ECONNREFUSED',
    "consul: member client2 (asked server's Consul API): expected alive client in dc1, got left client in dc1",
  ]);
});

test('a server that left the Raft peers, or is there as a non-voter', (t) => {
  const facts = healthy();
  const consul = facts.consul as Exclude<ClusterFacts['consul'], VerifyError>;
  consul.raft = [];
  t.deepEqual(failed(facts), [
    "consul: raft voter server (asked server's Consul API): expected a voter, got not in the Raft configuration",
  ]);
  consul.raft = [{ Node: 'server', Address: '10.77.0.10:8300', Leader: false, Voter: false }];
  t.deepEqual(failed(facts), [
    "consul: raft voter server (asked server's Consul API): expected a voter, got a non-voter",
  ]);
});

test(
  'no leader, a server in the wrong datacenter, a down and an ineligible client, an unhealthy driver, a ' +
    'missing volume',
  (t) => {
    const facts = healthy();
    const nomad = facts.nomad as Exclude<ClusterFacts['nomad'], VerifyError>;
    nomad.leader = '';
    nomad.members = [{ ...nomad.members[0]!, Tags: { region: 'global', dc: 'dc2' } }];
    nomad.nodes = [
      {
        ...nomadNode('client1'),
        Status: 'down',
        Drivers: {
          docker: { Detected: true, Healthy: false, HealthDescription: 'Failed to connect to docker daemon' },
        },
      },
      { ...nomadNode('client2'), SchedulingEligibility: 'ineligible' },
    ];
    t.deepEqual(failed(facts), [
      "nomad: leader (asked server's Nomad API): expected a leader, got no leader",
      "nomad: server server (asked server's Nomad API): expected alive in global/dc1, got alive in global/dc2",
      "nomad: client client1 (asked server's Nomad API): expected ready, eligible, in dc1, got down, eligible, in dc1",
      "nomad: drivers on client1 (asked server's Nomad API): expected docker healthy, got docker unhealthy: " +
        'Failed to connect to docker daemon',
      "nomad: host volumes on client1 (asked server's Nomad API): expected data, got missing data (offers: none)",
      "nomad: client client2 (asked server's Nomad API): expected ready, eligible, in dc1, got ready, " +
        'ineligible, in dc1',
    ]);
  },
);

test('a node re-created under the same name: the ready registration counts, the old down one does not', (t) => {
  const facts = healthy();
  const nomad = facts.nomad as Exclude<ClusterFacts['nomad'], VerifyError>;
  nomad.nodes = [{ ...nomadNode('client2'), ID: 'old', Status: 'down' }, ...nomad.nodes];
  t.deepEqual(failed(facts), []);
});

test('a client never registered: its client, drivers and volumes checks fail and say so', (t) => {
  const facts = healthy();
  const nomad = facts.nomad as Exclude<ClusterFacts['nomad'], VerifyError>;
  nomad.nodes = nomad.nodes.filter((n) => n.Name !== 'client1');
  t.deepEqual(failed(facts), [
    "nomad: client client1 (asked server's Nomad API): expected ready, eligible, in dc1, got not registered",
    "nomad: drivers on client1 (asked server's Nomad API): expected docker healthy, got not registered",
    "nomad: host volumes on client1 (asked server's Nomad API): expected data, got not registered",
  ]);
});

test('no server answers: every check that needs the servers fails with the reason, none is skipped', (t) => {
  const facts = healthy();
  facts.consul = new VerifyError('GET http://10.77.0.10:8500/v1/status/leader', 'no answer within 2000 ms');
  facts.nomad = new VerifyError('GET http://10.77.0.10:4646/v1/status/leader', 'ECONNREFUSED');
  const results = evaluateCluster(want, facts);
  t.is(results.length, 18);
  const failing = results.filter((r) => !r.ok);
  t.deepEqual(
    failing.map((r) => r.name),
    [
      'consul: leader',
      'consul: member server',
      'consul: member client1',
      'consul: member client2',
      'consul: raft voter server',
      'nomad: leader',
      'nomad: server server',
      'nomad: client client1',
      'nomad: drivers on client1',
      'nomad: host volumes on client1',
      'nomad: client client2',
      'nomad: drivers on client2',
    ],
  );
  t.is(
    failing[0]!.message,
    "consul: leader (no server's Consul API answered: GET http://10.77.0.10:8500/v1/status/leader): expected a " +
      'leader, got no answer within 2000 ms',
  );
});
