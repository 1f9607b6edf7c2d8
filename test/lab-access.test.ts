import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { NomadLabError } from '../src/errors.ts';
import { journalCommand, labEnv, labUrls, leaderHost, renderEnv, sshArgs } from '../src/lab-access.ts';
import type { NodeEndpoint } from '../src/providers/provider.ts';

const spec = (nodes: { name: string; role: 'server' | 'client' | 'both'; address: string }[]) =>
  ({ dir: '/nonexistent', spec: { name: 'lab', nodes, security: { acl: false, tls: false } } }) as never;

test('labUrls names the first server, not a client listed before it', (t) => {
  const cluster = spec([
    { name: 'c', role: 'client', address: '10.0.0.5' },
    { name: 's', role: 'server', address: '10.0.0.10' },
  ]);
  t.deepEqual(labUrls(cluster), { nomadUi: 'http://10.0.0.10:4646/ui/', consulUi: 'http://10.0.0.10:8500/ui/' });
});

for (const [answer, host] of [
  ['10.77.0.10:4647', '10.77.0.10'],
  ['"10.77.0.10:8300"', undefined],
  ['', undefined],
  ['host:1; rm -rf /', undefined],
] as const) {
  test(`leaderHost(${JSON.stringify(answer)}) is ${String(host)}`, (t) => {
    t.is(leaderHost(answer), host);
  });
}

test('renderEnv prints lines eval can take', (t) => {
  t.is(
    renderEnv({ NOMAD_ADDR: 'http://10.77.0.10:4646', CONSUL_HTTP_ADDR: 'http://10.77.0.10:8500' }),
    'export NOMAD_ADDR=http://10.77.0.10:4646\nexport CONSUL_HTTP_ADDR=http://10.77.0.10:8500',
  );
});

const endpoint: NodeEndpoint = {
  node: 'dev',
  host: '172.17.0.2',
  port: 2222,
  user: 'vagrant',
  privateKeyPath: '/k/insecure',
  labAddress: '10.95.1.10',
};

test('sshArgs: the lab known_hosts only, strict, the key, a TTY for a shell', (t) => {
  t.deepEqual(sshArgs(endpoint, '/lab/known_hosts', [], true), [
    '-o',
    'UserKnownHostsFile=/lab/known_hosts',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    '/k/insecure',
    '-p',
    '2222',
    '-t',
    '--',
    'vagrant@172.17.0.2',
  ]);
});

test('sshArgs: a command arrives as the arguments given, quoted for the remote shell', (t) => {
  const args = sshArgs({ ...endpoint, privateKeyPath: undefined }, '/kh', ['sh', '-c', 'exit 7; echo $HOME'], false);
  t.deepEqual(args.slice(-5), ['2222', '-T', '--', 'vagrant@172.17.0.2', "sh -c 'exit 7; echo $HOME'"]);
  t.false(args.includes('-i'));
});

test('journalCommand: sudo for a non-root user, every agent when none is named, follow', (t) => {
  t.deepEqual(journalCommand('vagrant', ['consul', 'nomad', 'docker'], { follow: true, lines: 20 }), [
    'sudo',
    '-n',
    '--',
    'journalctl',
    '--no-pager',
    '--output=short-iso',
    '-u',
    'consul',
    '-u',
    'nomad',
    '-u',
    'docker',
    '-n',
    '20',
    '-f',
  ]);
  t.deepEqual(journalCommand('root', ['nomad'], { follow: false, lines: 5 }), [
    'journalctl',
    '--no-pager',
    '--output=short-iso',
    '-u',
    'nomad',
    '-n',
    '5',
  ]);
});

/** An agent's /v1/status/leader on `address`; `port` 0 picks one. */
function leaderApi(address: string, answer: string, port = 0): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  return new Promise((resolve) => server.listen(port, address, () => resolve(server)));
}

test('labEnv asks each server in turn: one cut off, one without a leader yet, one that names them', async (t) => {
  // Every 127.x address is loopback here: each "server" its own address, all on one port, as in a lab.
  const young = await leaderApi('127.0.0.72', '""');
  const port = (young.address() as AddressInfo).port;
  const elected = await leaderApi('127.0.0.73', '"127.0.0.74:4647"', port);
  t.teardown(() => Promise.all([young, elected].map((s) => new Promise((resolve) => s.close(resolve)))));
  const gone = { name: 'gone', role: 'server' as const, address: '127.0.0.71' };
  const waiting = { name: 'young', role: 'server' as const, address: '127.0.0.72' };
  const options = { nomadPort: port, consulPort: port, timeoutMs: 500 };

  t.deepEqual(
    await labEnv(
      spec([
        { name: 'c', role: 'client', address: '127.0.0.1' },
        gone,
        waiting,
        { name: 's3', role: 'both', address: '127.0.0.73' },
      ]),
      options,
    ),
    {
      NOMAD_ADDR: `http://127.0.0.74:${port}`,
      CONSUL_HTTP_ADDR: `http://127.0.0.74:${port}`,
    },
  );
  const error = await t.throwsAsync(labEnv(spec([gone, waiting]), options), { instanceOf: NomadLabError });
  t.regex(
    error.message,
    new RegExp(
      [
        String.raw`^no server of .* named a Nomad and a Consul leader:\n {2}gone: .*127\.0\.0\.71.*\n`,
        String.raw` {2}young: no leader yet \(Nomad none, Consul none\)\nIs the lab up\?`,
      ].join(''),
    ),
  );
});
