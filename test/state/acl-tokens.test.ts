import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import type { AclTokens } from '../../src/lab-secrets.ts';
import { ensureAclTokens, readAclTokens } from '../../src/state/acl-tokens.ts';

async function stateDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-tokens-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, '.nomad-lab', 'lab');
}

test(
  'tokens: five distinct UUIDs, each in a 0600 file, ' + 'the same on the next call; none before the first',
  async (t) => {
    const dir = await stateDir(t);
    t.is(await readAclTokens(dir), undefined);
    const tokens = await ensureAclTokens(dir);
    const values = Object.values(tokens as Record<keyof AclTokens, string>);
    t.is(new Set(values).size, 5);
    for (const value of values) t.regex(value, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const files = (await readdir(dir)).sort();
    t.deepEqual(files, [
      'consul-agent.token',
      'consul-dns.token',
      'consul-management.token',
      'consul-nomad.token',
      'nomad-management.token',
    ]);
    for (const file of files) t.is((await stat(join(dir, file))).mode & 0o777, 0o600, file);
    t.is((await readFile(join(dir, 'nomad-management.token'), 'utf8')).trim(), tokens.nomadManagement);
    t.deepEqual(await ensureAclTokens(dir), tokens);
    t.deepEqual(await readAclTokens(dir), tokens);
  },
);

test('a token file others can read is an error that names it and says how to fix it', async (t) => {
  const dir = await stateDir(t);
  await ensureAclTokens(dir);
  const file = join(dir, 'consul-dns.token');
  await chmod(file, 0o644);
  const error = await t.throwsAsync(readAclTokens(dir), { instanceOf: NomadLabError });
  t.is(
    error.message,
    `Consul DNS token ` +
      `file ${file} has mode 0644, so others on this machine can read the lab's token: run chmod ` +
      `600 ${file}`,
  );
});
