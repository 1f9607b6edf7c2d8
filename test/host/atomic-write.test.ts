import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ensurePrivateDir, writeFileAtomic } from '../../src/host/atomic-write.ts';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-atomic-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the file gets the content and exactly the mode, and no temporary file is left', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'known_hosts');
  const umask = process.umask(0o077);
  t.teardown(() => process.umask(umask));
  t.true(await writeFileAtomic(file, 'one\n', { mode: 0o644 }));
  t.is((await stat(file)).mode & 0o777, 0o644);
  t.true(await writeFileAtomic(file, 'two\n', { mode: 0o600 }));
  t.is(await readFile(file, 'utf8'), 'two\n');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.deepEqual(await readdir(dir), ['known_hosts']);
});

test('a symlink where the file goes is replaced, and what it points at is untouched', async (t) => {
  const dir = await tempDir(t);
  const victim = join(dir, 'victim');
  await writeFile(victim, 'precious\n');
  await symlink(victim, join(dir, 'Vagrantfile'));
  await writeFileAtomic(join(dir, 'Vagrantfile'), 'generated\n', { mode: 0o644 });
  t.is(await readFile(victim, 'utf8'), 'precious\n');
  t.true((await lstat(join(dir, 'Vagrantfile'))).isFile());
});

test('the temporary name cannot be guessed: a link planted at the old name is never written through', async (t) => {
  const dir = await tempDir(t);
  const victim = join(dir, 'victim');
  await writeFile(victim, 'precious\n');
  const file = join(dir, 'Vagrantfile');
  await symlink(victim, `${file}.${process.pid}.tmp`);
  await writeFileAtomic(file, 'generated\n', { mode: 0o644 });
  t.is(await readFile(victim, 'utf8'), 'precious\n');
  t.is(await readFile(file, 'utf8'), 'generated\n');
});

test('with overwrite false, an existing file is kept', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'gossip.key');
  t.true(await writeFileAtomic(file, 'first\n', { mode: 0o600, overwrite: false }));
  t.false(await writeFileAtomic(file, 'second\n', { mode: 0o600, overwrite: false }));
  t.is(await readFile(file, 'utf8'), 'first\n');
  t.deepEqual(await readdir(dir), ['gossip.key']);
});

test('a private folder is made 0700 with its parents', async (t) => {
  const dir = join(await tempDir(t), '.nomad-lab', 'lab');
  await ensurePrivateDir(dir);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(join(dir, '..'))).mode & 0o777, 0o700);
});
