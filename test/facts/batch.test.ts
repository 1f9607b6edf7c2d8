import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import test from 'ava';
import { encodeBatch, parseBatch, readFacts } from '../../src/facts/batch.ts';
import { fileContent, userExists } from '../../src/facts/facts.ts';
import { dirStates } from '../../src/ops/dirs.ts';
import { fileStates, rememberHash } from '../../src/ops/files.ts';
import { fixture } from '../remote/helpers/fixture.ts';

test(
  'a batch round-trips: exit codes, stdout and stderr of ' + 'each, byte for byte (UTF-8, empty, no final newline)',
  (t) => {
    const results = [
      { exitCode: 0, stdout: 'plain\n', stderr: '' },
      { exitCode: 3, stdout: '', stderr: 'nope\n' },
      { exitCode: 1, stdout: 'héllo ✓ no newline', stderr: 'ü' },
    ];
    t.deepEqual(parseBatch(encodeBatch(results), 3), results);
    t.throws(() => parseBatch(encodeBatch(results).slice(0, -2), 3), { message: /ends early/ });
  },
);

test('every fact of a step in one command through a real shell, each parsed by its own parser', async (t) => {
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => (await remote.close(), await server.close()));
  const dir = join(f.dir, 'node');
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'a.hcl'), 'a = 1\n');
  const before = server.commands.length;
  const facts = await readFacts(remote, {
    files: fileStates([join(dir, 'etc', 'a.hcl'), join(dir, 'etc', 'missing.hcl')], 2),
    dirs: dirStates([join(dir, 'etc'), join(dir, 'nothing')]),
    content: fileContent(join(dir, 'etc', 'a.hcl')),
    absent: fileContent(join(dir, 'etc', 'missing.hcl')),
    root: userExists('root'),
  });
  t.is(server.commands.length - before, 1, 'one round trip');
  const a = facts.files.get(join(dir, 'etc', 'a.hcl'));
  t.like(a, { exists: true, text: 'a = 1\n', sha256: createHash('sha256').update('a = 1\n').digest('hex') });
  t.deepEqual(facts.files.get(join(dir, 'etc', 'missing.hcl')), { exists: false });
  t.regex(facts.dirs.get(join(dir, 'etc')) ?? '', /^\d{3} \S+$/);
  t.is(facts.dirs.get(join(dir, 'nothing')), undefined);
  t.is(facts.content, 'a = 1\n');
  t.is(facts.absent, undefined);
  t.true(facts.root);
});

test("a large file's sha256 is remembered beside its stamp and computed again when the file changes", async (t) => {
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => (await remote.close(), await server.close()));
  const big = join(f.dir, 'bin', 'nomad');
  const cache = join(f.dir, 'cache');
  mkdirSync(join(f.dir, 'bin'), { recursive: true });
  const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
  writeFileSync(big, bytes);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const read = async () => (await readFacts(remote, { files: fileStates([big], 0, cache) })).files.get(big);
  const entry = join(cache, big.replaceAll('/', '%'));

  // Changed in the last 2 s: hashed, not remembered (a write in the same ctime tick would go unseen).
  t.like(await read(), { exists: true, sha256: sha(bytes) });
  t.false(existsSync(entry));
  await sleep(2100);
  t.like(await read(), { exists: true, sha256: sha(bytes) });
  const [stamp, remembered] = readFileSync(entry, 'utf8').trim().split(' ');
  t.is(remembered, sha(bytes));
  // The remembered sum is what a matching stamp returns (shown by planting another one)...
  writeFileSync(entry, `${stamp} ${'0'.repeat(64)}\n`);
  t.like(await read(), { sha256: '0'.repeat(64) });
  // ...and a write of the same size changes the stamp, so the file is hashed again.
  const changed = Buffer.alloc(bytes.length, 8);
  writeFileSync(big, changed);
  t.like(await read(), { sha256: sha(changed) });
  t.is(readFileSync(entry, 'utf8').split(' ')[1]?.trim(), '0'.repeat(64), 'not remembered: changed in the last 2 s');
});

test('a large file nomad-lab has just written is remembered at once: the next read does not hash it', async (t) => {
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => (await remote.close(), await server.close()));
  const big = join(f.dir, 'consul');
  const cache = join(f.dir, 'cache');
  writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 1));
  await remote.run(rememberHash(big, 'f'.repeat(64), cache));
  // The planted sum proves the read used what was remembered instead of hashing the file.
  t.like((await readFacts(remote, { files: fileStates([big], 0, cache) })).files.get(big), { sha256: 'f'.repeat(64) });
});
