import test from 'ava';
import { journalCommand, labUrls, leaderHost, renderEnv, sshArgs } from '../src/lab-access.ts';
import type { NodeEndpoint } from '../src/providers/provider.ts';

const spec = (nodes: { name: string; role: 'server' | 'client' | 'both'; address: string }[]) => ({ spec: { nodes } }) as never;

test('labUrls names the first server, not a client listed before it', (t) => {
  const cluster = spec([{ name: 'c', role: 'client', address: '10.0.0.5' }, { name: 's', role: 'server', address: '10.0.0.10' }]);
  t.deepEqual(labUrls(cluster), { nomadUi: 'http://10.0.0.10:4646/ui/', consulUi: 'http://10.0.0.10:8500/ui/' });
});

for (const [answer, host] of [['10.77.0.10:4647', '10.77.0.10'], ['"10.77.0.10:8300"', undefined], ['', undefined], ['host:1; rm -rf /', undefined]] as const) {
  test(`leaderHost(${JSON.stringify(answer)}) is ${String(host)}`, (t) => {
    t.is(leaderHost(answer), host);
  });
}

test('renderEnv prints lines eval can take', (t) => {
  t.is(renderEnv({ NOMAD_ADDR: 'http://10.77.0.10:4646', CONSUL_HTTP_ADDR: 'http://10.77.0.10:8500' }), 'export NOMAD_ADDR=http://10.77.0.10:4646\nexport CONSUL_HTTP_ADDR=http://10.77.0.10:8500');
});

const endpoint: NodeEndpoint = { node: 'dev', host: '172.17.0.2', port: 2222, user: 'vagrant', privateKeyPath: '/k/insecure', labAddress: '10.95.1.10' };

test('sshArgs: the lab known_hosts only, strict, the key, a TTY for a shell', (t) => {
  t.deepEqual(sshArgs(endpoint, '/lab/known_hosts', [], true), [
    '-o', 'UserKnownHostsFile=/lab/known_hosts', '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR',
    '-o', 'IdentitiesOnly=yes', '-i', '/k/insecure', '-p', '2222', '-t', '--', 'vagrant@172.17.0.2',
  ]);
});

test('sshArgs: a command arrives as the arguments given, quoted for the remote shell', (t) => {
  const args = sshArgs({ ...endpoint, privateKeyPath: undefined }, '/kh', ['sh', '-c', 'exit 7; echo $HOME'], false);
  t.deepEqual(args.slice(-5), ['2222', '-T', '--', 'vagrant@172.17.0.2', "sh -c 'exit 7; echo $HOME'"]);
  t.false(args.includes('-i'));
});

test('journalCommand: sudo for a non-root user, every agent when none is named, follow', (t) => {
  t.deepEqual(journalCommand('vagrant', ['consul', 'nomad', 'docker'], { follow: true, lines: 20 }), [
    'sudo', '-n', '--', 'journalctl', '--no-pager', '--output=short-iso', '-u', 'consul', '-u', 'nomad', '-u', 'docker', '-n', '20', '-f',
  ]);
  t.deepEqual(journalCommand('root', ['nomad'], { follow: false, lines: 5 }), ['journalctl', '--no-pager', '--output=short-iso', '-u', 'nomad', '-n', '5']);
});
