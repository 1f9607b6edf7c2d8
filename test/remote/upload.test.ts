import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { userInfo } from 'node:os';
import { sha256Of } from '../../src/ops/files.ts';
import { ensureFile } from '../../src/pipeline/apply.ts';
import { RemoteCommandError, type Remote, type UploadOptions, type UploadSource } from '../../src/remote/index.ts';
import { fixture } from './helpers/fixture.ts';

// Files through the real transport and a real shell: facts read, the plan made, only what differs put.

/** What nomad-lab does for one file, with the old upload's answer: changed or not, and why. */
async function upload(
  remote: Remote,
  source: UploadSource,
  path: string,
  options: UploadOptions,
): Promise<{ changed: boolean; reason: string }> {
  const changes = await ensureFile(remote, { path, source, sha256: await sha256Of(source), ...options });
  const change = changes[0];
  if (!change) return { changed: false, reason: 'already up to date' };
  return {
    changed: true,
    reason: change.kind === 'put' ? (change.description.endsWith('(new file)') ? 'new file' : 'content') : 'mode/owner',
  };
}

/** The user the test server runs commands as: the suite passes as root and as anyone else. */
const me = userInfo().username;

const setup = async (user = 'root') => {
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server, { user });
  const target = join(f.dir, 'etc', 'consul.d');
  mkdirSync(target, { recursive: true });
  return { f, server, remote, target, [Symbol.asyncDispose]: async () => (await remote.close(), await server.close()) };
};

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.includes('nomad-lab'));

test('an upload twice writes once: the second leaves mtime and inode alone', async (t) => {
  await using ctx = await setup();
  const file = join(ctx.target, 'consul.hcl');
  const first = await upload(ctx.remote, 'datacenter = "lab"\n', file, { mode: 0o640, owner: me });
  t.deepEqual(first, { changed: true, reason: 'new file' });
  t.is(readFileSync(file, 'utf8'), 'datacenter = "lab"\n');
  const before = statSync(file);
  t.is(before.mode & 0o7777, 0o640);

  const second = await upload(ctx.remote, Buffer.from('datacenter = "lab"\n'), file, { mode: 0o640, owner: me });
  t.deepEqual(second, { changed: false, reason: 'already up to date' });
  const after = statSync(file);
  t.is(after.ino, before.ino);
  t.is(after.mtimeMs, before.mtimeMs);
  t.deepEqual(leftovers(ctx.target), []);
  t.deepEqual(leftovers(ctx.server.home), []);
});

test('changed content replaces the file by rename, with the mode set', async (t) => {
  await using ctx = await setup();
  const file = join(ctx.target, 'consul.hcl');
  await upload(ctx.remote, 'one\n', file, { mode: 0o644 });
  const before = statSync(file);
  const result = await upload(ctx.remote, 'two\n', file, { mode: 0o600 });
  t.deepEqual(result, { changed: true, reason: 'content' });
  const after = statSync(file);
  t.is(readFileSync(file, 'utf8'), 'two\n');
  t.is(after.mode & 0o7777, 0o600);
  t.not(after.ino, before.ino, 'a new inode: renamed into place, not rewritten');
  t.deepEqual(leftovers(ctx.target), []);
  t.deepEqual(leftovers(ctx.server.home), []);
});

test('same content with another mode only fixes the mode', async (t) => {
  await using ctx = await setup();
  const file = join(ctx.target, 'nomad.service');
  writeFileSync(file, '[Unit]\n');
  chmodSync(file, 0o600);
  const before = statSync(file);
  const result = await upload(ctx.remote, '[Unit]\n', file, { mode: 0o644 });
  t.deepEqual(result, { changed: true, reason: 'mode/owner' });
  const after = statSync(file);
  t.is(after.mode & 0o7777, 0o644);
  t.is(after.ino, before.ino);
});

test('a large local file streams up and is skipped when already there', async (t) => {
  await using ctx = await setup();
  const local = join(ctx.f.dir, 'nomad');
  const bytes = randomBytes(24 * 1024 * 1024);
  writeFileSync(local, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = join(ctx.target, 'nomad');
  t.true((await upload(ctx.remote, { localPath: local }, file, { mode: 0o755 })).changed);
  t.is(createHash('sha256').update(readFileSync(file)).digest('hex'), sha256);
  t.is(statSync(file).mode & 0o7777, 0o755);
  t.false((await upload(ctx.remote, { localPath: local, sha256 }, file, { mode: 0o755 })).changed);
});

test('a non-root user writes through sudo: facts and install run as root', async (t) => {
  await using ctx = await setup('vagrant');
  const file = join(ctx.target, 'server.hcl');
  t.true((await upload(ctx.remote, 'server { enabled = true }\n', file, { mode: 0o644, owner: me })).changed);
  t.false((await upload(ctx.remote, 'server { enabled = true }\n', file, { mode: 0o644, owner: me })).changed);
  t.true(
    ctx.server.commands.every((c) => c.startsWith('sudo -n -- sh -c ')),
    ctx.server.commands.join('\n'),
  );
  // Facts, install; then facts alone.
  t.is(ctx.server.commands.length, 3);
  t.is(ctx.server.sudoLog().length, 3);
});

test('a failed install names the node and the target, and leaves no staging copy', async (t) => {
  await using ctx = await setup();
  const file = join(ctx.target, 'missing-dir', 'consul.hcl');
  const error = await t.throwsAsync(upload(ctx.remote, 'x', file, { mode: 0o644 }), { instanceOf: RemoteCommandError });
  t.regex(
    error.message,
    new RegExp(`^\\[client1\\] exit 1: install -m 0644 ${file}\\n  \\| install: .*No such file or directory`),
  );
  t.deepEqual(leftovers(ctx.server.home), []);
});

test('an owner that does not exist is an error, not a skipped file', async (t) => {
  await using ctx = await setup();
  const error = await t.throwsAsync(
    upload(ctx.remote, 'x', join(ctx.target, 'a'), { mode: 0o644, owner: 'no-such-user-here' }),
    { instanceOf: RemoteCommandError },
  );
  t.regex(error.message, /invalid user/);
});

test(
  "a file in the host share is copied from the node's own view of it, which is only read; one outside it is " +
    'uploaded',
  async (t) => {
    const f = fixture();
    const server = await f.server();
    const share = { hostDir: join(f.dir, 'host-cache'), nodeDir: join(f.dir, 'node-view') };
    const remote = await f.connect(server, { hostShare: share });
    t.teardown(async () => (await remote.close(), await server.close()));
    mkdirSync(join(share.nodeDir, 'artifacts'), { recursive: true });
    writeFileSync(join(share.nodeDir, 'artifacts', 'nomad'), 'the binary\n');
    const target = join(f.dir, 'bin');
    mkdirSync(target);
    // Not on the host at all: only a copy on the node can have written it.
    await remote.put({ localPath: join(share.hostDir, 'artifacts', 'nomad') }, join(target, 'nomad'), { mode: 0o755 });
    t.is(readFileSync(join(target, 'nomad'), 'utf8'), 'the binary\n');
    t.is(statSync(join(target, 'nomad')).mode & 0o7777, 0o755);
    t.is(readFileSync(join(share.nodeDir, 'artifacts', 'nomad'), 'utf8'), 'the binary\n');
    t.deepEqual(leftovers(server.home), []);

    const outside = join(f.dir, 'elsewhere');
    writeFileSync(outside, 'uploaded\n');
    await remote.put({ localPath: outside }, join(target, 'other'), { mode: 0o644 });
    t.is(readFileSync(join(target, 'other'), 'utf8'), 'uploaded\n');
  },
);
