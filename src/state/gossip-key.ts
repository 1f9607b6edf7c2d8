import { randomBytes } from 'node:crypto';
import { ensureSecret, type SecretKind } from './private-file.ts';

export const GOSSIP_KEY: SecretKind = {
  file: 'gossip.key',
  what: 'gossip key',
  noun: 'key',
  // 32 bytes in base64, as `consul keygen` prints them.
  pattern: /^[A-Za-z0-9+/]{43}=$/,
  form: 'gossip key (32 bytes in base64, as `consul keygen` prints)',
  replace:
    'remove it and `nomad-lab up` makes a new key (a lab already running needs `nomad-lab down` first, since ' +
    'its Consul agents hold the old one)',
  make: () => randomBytes(32).toString('base64'),
};

/**
 * The lab's Consul gossip encryption key: made once, kept in the lab's state folder (mode 0700) in a file of
 * mode 0600, never printed. Same as `consul keygen`: 32 random bytes, base64.
 */
export function ensureGossipKey(stateDir: string): Promise<string> {
  return ensureSecret(stateDir, GOSSIP_KEY);
}
