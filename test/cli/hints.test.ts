import test from 'ava';
import { RemoteCommandError } from '../../src/errors.ts';
import { failedNode, stepService, upFailureHint, upFinishedLines, versionText } from '../../src/cli/hints.ts';

const cluster = {
  spec: { nodes: [{ name: 'server', role: 'server', address: '10.77.0.10' }], security: { acl: false, tls: false } },
} as never;

test('a failed up names the node and the agent journal to read', (t) => {
  const error = new Error('wrapped', {
    cause: new RemoteCommandError('client1', 'systemctl restart nomad', 1, 'boom'),
  });
  t.is(
    upFailureHint(cluster, 'lab.yaml', 'configure Nomad', error),
    [
      'up stopped at step "configure Nomad"; the machines are kept for inspection:',
      '  a shell on the node:  nomad-lab ssh -f lab.yaml client1',
      '  its nomad journal:    nomad-lab logs --file lab.yaml client1 nomad -n 50',
      'Run `nomad-lab up -f lab.yaml` again to retry, or `nomad-lab down -f lab.yaml` to destroy them.',
    ].join('\n'),
  );
});

test('without a node in the error, the hint says NODE', (t) => {
  t.regex(
    upFailureHint(cluster, 'cluster.yaml', 'boot machines', new Error('x')),
    /\n {2}its agents' journal: {2}nomad-lab logs NODE -n 50\n/,
  );
});

for (const [step, service] of [
  ['configure Consul', 'consul'],
  ['resolve .consul names on every node', 'consul'],
  ['configure Nomad', 'nomad'],
  ['deploy jobs', 'nomad'],
  ['install packages (docker, dnsmasq)', 'docker'],
  ['load job images on the clients', 'docker'],
  ['boot machines', undefined],
] as const) {
  test(`stepService(${step}) is ${String(service)}`, (t) => t.is(stepService(step), service));
}

test('failedNode looks through causes', (t) => {
  t.is(
    failedNode(new Error('a', { cause: new Error('b', { cause: new RemoteCommandError('c2', 'x', 1, '') }) })),
    'c2',
  );
  t.is(failedNode('not an error'), undefined);
});

test('a finished up ends with the UIs and what to run next', (t) => {
  t.deepEqual(upFinishedLines(cluster, 'cluster.yaml'), [
    'Nomad UI:  http://10.77.0.10:4646/ui/',
    'Consul UI: http://10.77.0.10:8500/ui/',
    'next: nomad-lab verify   (and eval "$(nomad-lab env)" for your own nomad and consul CLIs)',
  ]);
});

test('--version names nomad-lab and the default Consul and Nomad', (t) => {
  t.regex(versionText(), /^nomad-lab \d+\.\d+\.\d+\nconsul 1\.22\.7, nomad 1\.11\.3 /);
});
