import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import bcrypt from 'bcryptjs';
import { ensureRegistryCredentials, readRegistryCredentials } from '../../src/state/registry-secrets.ts';

async function stateDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-registry-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, '.nomad-lab', 'lab');
}

test('the password and its htpasswd line: made once, 0600 files, the same on the next call', async (t) => {
  const dir = await stateDir(t);
  t.is(await readRegistryCredentials(dir), undefined);
  const made = await ensureRegistryCredentials(dir);
  t.is(made.user, 'nomadlab');
  t.regex(made.password, /^[A-Za-z0-9_-]{32}$/);
  t.regex(made.htpasswd, /^nomadlab:\$2b\$10\$/);
  t.true(bcrypt.compareSync(made.password, made.htpasswd.slice('nomadlab:'.length)));
  for (const file of ['registry.password', 'registry.htpasswd'])
    t.is((await stat(join(dir, file))).mode & 0o777, 0o600, file);
  t.deepEqual(await ensureRegistryCredentials(dir), made);
  t.deepEqual(await readRegistryCredentials(dir), made);
});

test('an htpasswd line that is not for the password is an error that says how to start over', async (t) => {
  const dir = await stateDir(t);
  await ensureRegistryCredentials(dir);
  await writeFile(join(dir, 'registry.password'), `${'x'.repeat(32)}\n`, { mode: 0o600 });
  await t.throwsAsync(readRegistryCredentials(dir), {
    message: /registry.htpasswd in .* is not for user nomadlab's password: remove registry.password and/,
  });
});
