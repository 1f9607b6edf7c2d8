import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import test, { type ExecutionContext } from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import { ensureLabSshKey } from '../../src/state/lab-ssh-key.ts';

async function keyFile(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-ssh-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, '.nomad-lab', 'lab', 'id_ed25519');
}

test('a new ed25519 key in a 0600 file, its public line beside it (0644), the same on the next call', async (t) => {
  const file = await keyFile(t);
  const line = await ensureLabSshKey(file, 'nomad-lab lab');
  t.regex(line, /^ssh-ed25519 [A-Za-z0-9+/=]+ nomad-lab lab$/);
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await stat(`${file}.pub`)).mode & 0o777, 0o644);
  t.is(await readFile(`${file}.pub`, 'utf8'), `${line}\n`);
  // The public line is the private key's own.
  const parsed = ssh2.utils.parseKey(await readFile(file, 'utf8'));
  if (parsed instanceof Error || Array.isArray(parsed)) return t.fail(String(parsed));
  t.is(line.split(' ')[1], parsed.getPublicSSH().toString('base64'));
  t.is(await ensureLabSshKey(file, 'nomad-lab lab'), line);
});

test('a public file lost or changed is written again from the private key', async (t) => {
  const file = await keyFile(t);
  const line = await ensureLabSshKey(file, 'nomad-lab lab');
  await writeFile(`${file}.pub`, 'ssh-ed25519 AAAA someone else\n');
  t.is(await ensureLabSshKey(file, 'nomad-lab lab'), line);
  t.is(await readFile(`${file}.pub`, 'utf8'), `${line}\n`);
});

test('a key file that holds no OpenSSH private key: an error naming the file and how to fix it', async (t) => {
  const file = await keyFile(t);
  await ensureLabSshKey(file, 'nomad-lab lab');
  await writeFile(file, 'not a key\n', { mode: 0o600 });
  const error = await t.throwsAsync(ensureLabSshKey(file, 'nomad-lab lab'), { instanceOf: NomadLabError });
  t.true(
    error.message.startsWith(`lab SSH key file ${file} does not hold a private key in OpenSSH form`),
    error.message,
  );
  t.regex(error.message, /nomad-lab down/);
});
