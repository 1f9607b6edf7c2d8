import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ParsedKey } from 'ssh2';
import { NomadLabError } from '../errors.ts';
import { writeFileAtomic } from '../host/atomic-write.ts';
import { ensureSecret, type SecretKind } from './private-file.ts';

type Ssh2Utils = (typeof import('ssh2'))['utils'];

function sshKeyKind(file: string, make: () => string): SecretKind {
  return {
    file,
    what: 'lab SSH key',
    noun: 'SSH key',
    pattern: /^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END OPENSSH PRIVATE KEY-----$/,
    form: 'private key in OpenSSH form',
    replace:
      'remove it and `nomad-lab up` makes a new key (a lab already running needs `nomad-lab down` first, since ' +
      'its machines authorize the old one)',
    make,
  };
}

/**
 * An ed25519 key pair; about 3 in 1000 of ssh2's are refused by its own parser ("Malformed OpenSSH private key"), so
 * take the next.
 */
function generateKey(utils: Ssh2Utils): string {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair.private;
  }
}

/**
 * The lab's own SSH key at `file` (mode 0600, made once, never printed) and its public half at `file.pub`,
 * which the docker backend's machines authorize from their first boot. Returns the public key line.
 */
export async function ensureLabSshKey(file: string, comment: string): Promise<string> {
  const { utils } = (await import('ssh2')).default;
  const text = await ensureSecret(
    dirname(file),
    sshKeyKind(basename(file), () => generateKey(utils)),
  );
  // ssh2 returns a list for text holding several keys, which its types leave out.
  const parsed = utils.parseKey(text) as ParsedKey | ParsedKey[] | Error;
  if (parsed instanceof Error)
    throw new NomadLabError(`lab SSH key file ${file}: ${parsed.message}: ${sshKeyKind(file, () => '').replace}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  const line = `${key.type} ${key.getPublicSSH().toString('base64')} ${comment}\n`;
  if ((await readFile(`${file}.pub`, 'utf8').catch(() => undefined)) !== line)
    await writeFileAtomic(`${file}.pub`, line, { mode: 0o644 });
  return line.trim();
}
