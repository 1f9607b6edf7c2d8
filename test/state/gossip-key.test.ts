import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import { ensureGossipKey } from '../../src/state/gossip-key.ts';

async function stateDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-gossip-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, '.nomad-lab', 'lab');
}

const replace =
  'remove it and `nomad-lab up` makes a new key (a lab already running needs `nomad-lab down` first, since its ' +
  'Consul agents hold the old one)';

test('a new key: 32 random bytes in base64, in a 0600 file in a 0700 folder, the same on the next call', async (t) => {
  const dir = await stateDir(t);
  const key = await ensureGossipKey(dir);
  t.is(Buffer.from(key, 'base64').length, 32);
  t.is(await readFile(join(dir, 'gossip.key'), 'utf8'), `${key}\n`);
  t.is((await stat(join(dir, 'gossip.key'))).mode & 0o777, 0o600);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is(await ensureGossipKey(dir), key);
});

test('concurrent first calls agree on one key', async (t) => {
  const dir = await stateDir(t);
  const keys = await Promise.all([1, 2, 3, 4].map(() => ensureGossipKey(dir)));
  t.is(new Set(keys).size, 1);
});

const notAKey =
  'does not hold a gossip key (32 bytes in base64, as `consul keygen` prints): ' +
  `put the lab's key in it, or ${replace}`;

const broken: [string, (file: string) => Promise<void>, string][] = [
  ['an empty file', (file) => writeFile(file, '', { mode: 0o600 }), `is empty: ${replace}`],
  [
    'a file others can read',
    async (file) => {
      await writeFile(file, `${Buffer.alloc(32, 7).toString('base64')}\n`);
      await chmod(file, 0o644);
    },
    "has mode 0644, so others on this machine can read the lab's key: run chmod 600 FILE",
  ],
  ['a file that is not base64', (file) => writeFile(file, 'not a key at all\n', { mode: 0o600 }), notAKey],
  [
    'a key of 16 bytes',
    (file) => writeFile(file, `${Buffer.alloc(16, 7).toString('base64')}\n`, { mode: 0o600 }),
    notAKey,
  ],
  [
    'a symlink',
    async (file) => {
      await writeFile(`${file}.real`, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
      await symlink(`${file}.real`, file);
    },
    'is a symlink: nomad-lab reads only a file of its own; replace the link with the file',
  ],
  ['a folder', (file) => mkdir(file, { mode: 0o700 }), `is not a regular file: ${replace}`],
];
for (const [name, make, expected] of broken) {
  test(`${name} is an error that says how to fix it, and is left as it is`, async (t) => {
    const dir = await stateDir(t);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'gossip.key');
    await make(file);
    const before = await stat(file);
    const error = await t.throwsAsync(ensureGossipKey(dir), { instanceOf: NomadLabError });
    t.is(error?.message, `gossip key file ${file} ${expected.replace('FILE', file)}`);
    t.is((await stat(file)).mtimeMs, before.mtimeMs);
  });
}
