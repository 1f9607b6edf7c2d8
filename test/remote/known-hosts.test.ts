import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  checkOrPin,
  fingerprint,
  formatKnownHosts,
  hostField,
  keyType,
  parseKnownHosts,
} from '../../src/remote/known-hosts.ts';
import { forgetHostKeys } from '../../src/remote/index.ts';

// An ssh-ed25519 wire-format key: string "ssh-ed25519", then 32 key bytes.
const blob = (fill: number) =>
  Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32, fill),
  ]);

test('host fields follow OpenSSH: bare for port 22, bracketed otherwise', (t) => {
  t.is(hostField('10.0.0.10', 22), '10.0.0.10');
  t.is(hostField('127.0.0.1', 2222), '[127.0.0.1]:2222');
});

test('fingerprints are SHA256:base64 without padding, and the key type is read from the blob', (t) => {
  t.regex(fingerprint(blob(1)), /^SHA256:[A-Za-z0-9+/]{43}$/);
  t.is(fingerprint(blob(1).toString('base64')), fingerprint(blob(1)));
  t.is(keyType(blob(1)), 'ssh-ed25519');
  t.is(keyType(Buffer.alloc(2)), 'unknown');
});

test('the file round-trips and ignores comments and junk lines', (t) => {
  const pins = [
    { node: 'server', hostField: '[127.0.0.1]:2222', keyType: 'ssh-ed25519', keyBase64: blob(1).toString('base64') },
  ];
  const text = formatKnownHosts(pins);
  t.true(text.startsWith('# nomad-lab'));
  t.deepEqual(parseKnownHosts(`${text}\njunk\n\n`), pins);
});

test('pin, match, changed; forget one node or all', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'nomad-lab-kh-')), 'lab', 'known_hosts');
  t.deepEqual(await checkOrPin(file, 'server', '127.0.0.1', 2222, blob(1)), { status: 'pinned' });
  t.deepEqual(await checkOrPin(file, 'server', '127.0.0.1', 2222, blob(1)), { status: 'match' });
  const changed = await checkOrPin(file, 'server', '127.0.0.1', 2222, blob(2));
  t.is(changed.status, 'changed');
  t.deepEqual(
    await checkOrPin(file, 'server', '127.0.0.1', 2200, blob(2)),
    { status: 'pinned' },
    'another port is another pin',
  );
  t.deepEqual(
    await checkOrPin(file, 'client1', '127.0.0.1', 2222, blob(3)),
    { status: 'pinned' },
    'another node is another pin',
  );
  t.is(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('[')).length,
    3,
  );
  t.is(await forgetHostKeys(file, ['server']), 2);
  t.deepEqual(await checkOrPin(file, 'server', '127.0.0.1', 2222, blob(2)), { status: 'pinned' });
  t.is(await forgetHostKeys(file), 2);
  t.is(await forgetHostKeys(file, ['server']), 0);
});

test('pinned first (status or reset before up): the state folder is made 0700 and known_hosts is 0600', async (t) => {
  const { stat } = await import('node:fs/promises');
  const dir = join(mkdtempSync(join(tmpdir(), 'nomad-lab-kh-')), '.nomad-lab', 'lab');
  const file = join(dir, 'known_hosts');
  await checkOrPin(file, 'server', '127.0.0.1', 2222, blob(1));
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(file)).mode & 0o777, 0o600);
});
