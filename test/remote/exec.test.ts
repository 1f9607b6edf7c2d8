import { existsSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import test from 'ava';
import { RemoteCommandError, script } from '../../src/remote/index.ts';
import { fixture } from './helpers/fixture.ts';

const setup = async () => {
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  return { f, server, remote, [Symbol.asyncDispose]: async () => (await remote.close(), await server.close()) };
};

test('exit codes are returned by exec and thrown by run', async (t) => {
  await using ctx = await setup();
  t.is((await ctx.remote.exec(['true'])).exitCode, 0);
  t.is((await ctx.remote.exec(['sh', '-c', 'exit 3'])).exitCode, 3);
  const error = await t.throwsAsync(ctx.remote.run(['sh', '-c', 'echo "unit nomad.service not found" >&2; exit 5']), {
    instanceOf: RemoteCommandError,
  });
  t.is(
    error.message,
    '[client1] exit 5: sh -c \'echo "unit nomad.service not found" >&2; exit 5\'\n  | unit nomad.service not found',
  );
  t.is(error.shortMessage, '[client1] exit 5: sh -c \'echo "unit nomad.service not found" >&2; exit 5\'');
  t.is(error.exitCode, 5);
});

test('stdout and stderr are captured apart and streamed as they arrive', async (t) => {
  await using ctx = await setup();
  const streamed: string[] = [];
  const result = await ctx.remote.exec(script('echo out; echo err >&2; echo more'), {
    onStdout: (chunk) => streamed.push(`out:${chunk}`),
    onStderr: (chunk) => streamed.push(`err:${chunk}`),
  });
  t.deepEqual(result, { exitCode: 0, stdout: 'out\nmore\n', stderr: 'err\n' });
  t.is(
    streamed
      .filter((s) => s.startsWith('out:'))
      .map((s) => s.slice(4))
      .join(''),
    'out\nmore\n',
  );
  t.deepEqual(
    streamed.filter((s) => s.startsWith('err:')),
    ['err:err\n'],
  );
});

test('output larger than a megabyte arrives whole', async (t) => {
  await using ctx = await setup();
  const result = await ctx.remote.run(script('head -c 3000000 /dev/zero | base64'));
  t.is(result.stdout.replaceAll('\n', '').length, 4_000_000);
  t.regex(result.stdout.slice(0, 76), /^A{76}$/);
});

test('stdin is sent, from a string or a stream, and a command reading stdin gets EOF when none is given', async (t) => {
  await using ctx = await setup();
  t.is((await ctx.remote.run(['cat'], { stdin: 'secret-gossip-key' })).stdout, 'secret-gossip-key');
  t.is(
    (await ctx.remote.run(['wc', '-c'], { stdin: Readable.from([Buffer.alloc(70_000, 1)]) })).stdout.trim(),
    '70000',
  );
  t.is((await ctx.remote.run(['cat'])).stdout, '');
});

test('stdin never appears in an error', async (t) => {
  await using ctx = await setup();
  const error = await t.throwsAsync(
    ctx.remote.run(script('cat >/dev/null; echo bad >&2; exit 1'), { stdin: 'hunter2' }),
  );
  t.false(error.message.includes('hunter2'));
});

const hostile = [
  `$(touch /tmp/nomad-lab-pwned); 'x"`,
  '`id`',
  'a\nb',
  '; rm -rf /',
  '$HOME',
  "it's",
  '',
  ' ',
  '*',
  '!x',
  '\\',
  '--',
  '-n',
];

test('every argument arrives verbatim; none runs as a command', async (t) => {
  await using ctx = await setup();
  rmSync('/tmp/nomad-lab-pwned', { force: true });
  for (const value of hostile) {
    t.is((await ctx.remote.run(['printf', '%s', value])).stdout, value, JSON.stringify(value));
    t.is(
      (await ctx.remote.run(script('printf %s "$1"', [value]))).stdout,
      value,
      `script arg ${JSON.stringify(value)}`,
    );
    t.is(
      (await ctx.remote.run(['printf', '%s', value], { sudo: true })).stdout,
      value,
      `sudo ${JSON.stringify(value)}`,
    );
  }
  t.false(existsSync('/tmp/nomad-lab-pwned'));
});

test('sudo prefixes `sudo -n --` for a non-root user and nothing for root', async (t) => {
  const f = fixture();
  const server = await f.server();
  const asVagrant = await f.connect(server, { user: 'vagrant' });
  const asRoot = await f.connect(server);
  t.teardown(async () => (await asVagrant.close(), await asRoot.close(), await server.close()));

  await asVagrant.run(['systemctl-probe', 'nomad'], { sudo: true }).catch(() => undefined);
  await asVagrant.run(['echo', 'as user']);
  await asRoot.run(['echo', 'as root'], { sudo: true });
  t.deepEqual(server.commands, ['sudo -n -- systemctl-probe nomad', "echo 'as user'", "echo 'as root'"]);
  t.deepEqual(server.sudoLog(), ['systemctl-probe nomad']);
});

test('one connection serves many concurrent commands', async (t) => {
  await using ctx = await setup();
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.remote.run(['echo', String(i)])));
  t.deepEqual(
    results.map((r) => r.stdout),
    Array.from({ length: 8 }, (_, i) => `${i}\n`),
  );
});

test('a connection dropped mid-command rejects naming the node and the command', async (t) => {
  await using ctx = await setup();
  const pending = ctx.remote.run(['sleep', '5']);
  await ctx.server.started('sleep 5');
  ctx.server.dropConnections();
  const error = await t.throwsAsync(pending, { instanceOf: RemoteCommandError });
  t.regex(error.message, /^\[client1\] failed: sleep 5\n/);
  t.regex(error.message, /connection to 127\.0\.0\.1:\d+ (was lost|failed)/);
  const after = await t.throwsAsync(ctx.remote.run(['true']), { instanceOf: RemoteCommandError });
  t.regex(after.message, /^\[client1\] failed: true\n.*127\.0\.0\.1/);
});

test('a timeout stops the command and says so', async (t) => {
  await using ctx = await setup();
  const error = await t.throwsAsync(ctx.remote.run(['sleep', '5'], { timeoutMs: 300 }), {
    instanceOf: RemoteCommandError,
  });
  t.is(error.message, '[client1] failed: sleep 5\nstopped after 300 ms without finishing');
  t.is((await ctx.remote.run(['echo', 'still usable'])).stdout, 'still usable\n');
});
