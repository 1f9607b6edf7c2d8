import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { connect, forgetHostKeys, HostKeyError, RemoteConnectError } from '../../src/remote/index.ts';
import { fixture } from './helpers/fixture.ts';
import { freePort, generateKey } from './helpers/ssh-server.ts';

test('a server that starts listening late is reached within the deadline, after retries', async (t) => {
  const f = fixture();
  const port = await freePort();
  const retries: string[] = [];
  const later = new Promise<Awaited<ReturnType<typeof f.server>>>((resolve) => {
    setTimeout(() => resolve(f.server({ port })), 1000);
  });
  const remote = await connect(f.endpoint(port), {
    knownHostsFile: f.knownHosts,
    deadlineMs: 10_000,
    onRetry: ({ error }) => retries.push(error.message),
  });
  const server = await later;
  t.teardown(async () => (await remote.close(), await server.close()));
  t.true(retries.length >= 2, retries.join('\n'));
  t.true(retries.every((m) => m.includes('ECONNREFUSED')));
  t.is((await remote.run(['echo', 'up'])).stdout, 'up\n');
});

test('a deadline that passes gives an error naming the node and host:port', async (t) => {
  const f = fixture();
  const port = await freePort();
  const error = await t.throwsAsync(connect(f.endpoint(port), { knownHostsFile: f.knownHosts, deadlineMs: 1500 }), {
    instanceOf: RemoteConnectError,
  });
  t.regex(
    error.message,
    new RegExp(
      `^\\[client1\\] cannot connect to ` +
        `root@127\\.0\\.0\\.1:${port}: no SSH session after \\d+ tries in ` +
        `\\d+\\.\\d s; last error: .*ECONNREFUSED`,
    ),
  );
  t.regex(error.message, /Is the machine running/);
});

test('a port that accepts but never speaks SSH is bounded by the deadline too', async (t) => {
  const f = fixture();
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => silent.close());
  const port = (silent.address() as { port: number }).port;
  const error = await t.throwsAsync(connect(f.endpoint(port), { knownHostsFile: f.knownHosts, deadlineMs: 1500 }), {
    instanceOf: RemoteConnectError,
  });
  t.regex(
    error.message,
    new RegExp(
      `127\\.0\\.0\\.1:${port}: no SSH session after \\d+ tr(y|ies) in \\d+\\.\\d s; last error: Timed out ` +
        `while waiting for handshake`,
    ),
  );
});

test('host keys: first contact pins, the same key passes, a different key is refused with what to do', async (t) => {
  const f = fixture();
  const first = await f.server({ port: await freePort() });
  const port = first.port;
  const remote = await f.connect(first);
  await remote.close();
  await first.close();

  const pinned = readFileSync(f.knownHosts, 'utf8');
  t.regex(pinned, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 AAAA\\S+ client1$`, 'm'));

  const again = await f.server({ port });
  const remote2 = await f.connect(again);
  await remote2.close();
  await again.close();
  t.is(readFileSync(f.knownHosts, 'utf8'), pinned);

  const impostorKey = generateKey();
  const impostor = await f.server({ port, hostKey: impostorKey });
  t.teardown(() => impostor.close());
  let retries = 0;
  const error = await t.throwsAsync(f.connect(impostor, {}, { deadlineMs: 10_000, onRetry: () => retries++ }), {
    instanceOf: HostKeyError,
  });
  t.is(retries, 0, 'a changed key is not retried');
  t.is(impostor.commands.length, 0);

  const fingerprintOf = async (publicKey: string) => {
    const file = join(f.dir, 'key.pub');
    writeFileSync(file, `${publicKey}\n`);
    return (await execa('ssh-keygen', ['-l', '-f', file])).stdout.split(' ')[1]!;
  };
  const old = await fingerprintOf(f.hostKey.public);
  const offered = await fingerprintOf(impostorKey.public);
  t.is(
    error.message,
    `[client1] host key of 127.0.0.1:${port} changed: pinned ${old}, offered ${offered}\n` +
      ('If client1 was re-created on purpose, accept its new key with `nomad-lab forget-host-key client1` (add ' +
        '-f FILE for another cluster file) ') +
      `and run your command again; it removes client1's line from ${f.knownHosts}. ` +
      'Otherwise something else may be answering at that address: do not connect.',
  );

  t.is(await forgetHostKeys(f.knownHosts, ['client1']), 1);
  const remote3 = await f.connect(impostor);
  await remote3.close();
});

test('each node is pinned on its own line, and concurrent first contacts all land', async (t) => {
  const f = fixture();
  const servers = await Promise.all([1, 2, 3].map(() => f.server()));
  const remotes = await Promise.all(servers.map((s, i) => f.connect(s, { node: `node${i}` })));
  t.teardown(async () => {
    for (const r of remotes) await r.close();
    for (const s of servers) await s.close();
  });
  const lines = readFileSync(f.knownHosts, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  t.deepEqual(lines.map((l) => l.split(' ')[3]).sort(), ['node0', 'node1', 'node2']);
  t.is(await forgetHostKeys(f.knownHosts, ['node1']), 1);
  t.deepEqual(
    // Concurrent first contacts land in any order.
    readFileSync(f.knownHosts, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(' ')[3])
      .sort(),
    ['node0', 'node2'],
  );
  t.is(await forgetHostKeys(f.knownHosts), 2);
  t.is(await forgetHostKeys(f.knownHosts), 0);
});

test('a refused key fails at once with a hint, not after the deadline', async (t) => {
  const f = fixture();
  const server = await f.server({ clientKey: generateKey() });
  t.teardown(() => server.close());
  let retries = 0;
  const error = await t.throwsAsync(f.connect(server, {}, { deadlineMs: 10_000, onRetry: () => retries++ }), {
    instanceOf: RemoteConnectError,
  });
  t.is(retries, 0, 'a refused key is not retried');
  t.is(
    error.message,
    `[client1] cannot connect to ` +
      `root@127.0.0.1:${server.port}: authentication as root with the ` +
      `key ${f.keyPath} was refused\n` +
      "Check the node's user and key in cluster.yaml (or what `vagrant ssh-config` reports).",
  );
});

test('a missing key file or agent is said plainly', async (t) => {
  const f = fixture();
  const missing = await t.throwsAsync(
    connect(f.endpoint(22, { privateKeyPath: join(f.dir, 'nope') }), { knownHostsFile: f.knownHosts }),
    { instanceOf: RemoteConnectError },
  );
  t.regex(
    missing.message,
    /^\[client1\] cannot connect to root@127\.0\.0\.1:22: cannot read private key .*nope: ENOENT/,
  );

  const saved = process.env['SSH_AUTH_SOCK'];
  delete process.env['SSH_AUTH_SOCK'];
  t.teardown(() => {
    if (saved !== undefined) process.env['SSH_AUTH_SOCK'] = saved;
  });
  const noAgent = await t.throwsAsync(
    connect(f.endpoint(22, { privateKeyPath: undefined }), { knownHostsFile: f.knownHosts }),
    { instanceOf: RemoteConnectError },
  );
  t.regex(noAgent.message, /no private key is configured and no SSH agent is running \(\$SSH_AUTH_SOCK is unset\)/);
});
