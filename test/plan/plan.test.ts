import test from 'ava';
import { loadCluster, parseCluster } from '../../src/config/load.ts';
import { planCluster } from '../../src/plan/plan.ts';

test(
  'the default lab plans docker only where tasks run, a ' + 'deploy per job and a verify per service for the cluster',
  async (t) => {
    const plan = planCluster(await loadCluster('cluster.yaml'));
    t.deepEqual(
      plan.nodes.map((n) => n.name),
      ['server', 'client1', 'client2'],
    );
    const install = (name: string) =>
      plan.nodes.find((n) => n.name === name)?.actions.find((a) => a.step === 'install')?.summary;
    t.is(install('server'), 'consul 1.22.7, nomad 1.11.3');
    t.is(install('client1'), 'docker.io 20.10.24, consul 1.22.7, nomad 1.11.3');
    t.deepEqual(
      plan.cluster.map((a) => a.step),
      ['deploy', 'deploy', 'deploy', 'verify', 'verify', 'verify', 'verify'],
    );
    t.regex(plan.cluster[3]!.summary, /^whoami\.service\.consul: 2 instances/);
  },
);

test('every server joins the same servers, with bootstrap_expect equal to their count', async (t) => {
  const plan = planCluster(await loadCluster('examples/ha.yaml'));
  const consul = plan.nodes.map((n) => n.actions.find((a) => a.step === 'consul')?.summary);
  t.is(consul[0], 'server (bootstrap_expect 3), bind 10.79.0.11, retry_join 10.79.0.11, 10.79.0.12, 10.79.0.13');
  t.is(consul[3], 'client, bind 10.79.0.21, retry_join 10.79.0.11, 10.79.0.12, 10.79.0.13');
});

test('existing hosts are reached as the file says, with nothing to boot', async (t) => {
  const plan = planCluster(await loadCluster('examples/existing-hosts.yaml'));
  const boot = plan.nodes.map((n) => n.actions.find((a) => a.step === 'boot')?.summary);
  t.deepEqual(boot, [
    'existing host admin@192.168.50.10:22 (nothing to boot)',
    'existing host admin@192.168.50.21:22 (nothing to boot)',
    'existing host admin@worker2.example.internal:2222 (nothing to boot)',
  ]);
});

test('each dns lookup is planned as a verify from every node, with what it expects', (t) => {
  const text = `version: 1
network: { cidr: 10.9.0.0/24 }
nodes:
  - { name: a, role: both, address: 10.9.0.2 }
dns:
  - { name: todo-db.service.dc1.consul, type: A, count: 1 }
  - { name: http.todo-web.service.consul, type: SRV }
`;
  const plan = planCluster(parseCluster(text, { displayName: 'x.yaml', baseDir: '.' }));
  const [everyNode, eachTarget] = ["from every node's Consul DNS", 'each target a node address'];
  t.deepEqual(plan.cluster, [
    { step: 'verify', summary: `todo-db.service.dc1.consul A ${everyNode}: 1 node address` },
    { step: 'verify', summary: `http.todo-web.service.consul SRV ${everyNode}: at least 1 instance, ${eachTarget}` },
  ]);
});
