import { randomUUID } from 'node:crypto';
import type { AclTokens } from '../lab-secrets.ts';
import { ensureSecret, readLabSecret, type SecretKind } from './private-file.ts';

export type { AclTokens } from '../lab-secrets.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const token = (file: string, what: string): SecretKind => ({
  file,
  what,
  noun: 'token',
  pattern: UUID,
  form: 'token (a UUID)',
  replace:
    'remove it and `nomad-lab down` the lab, then `nomad-lab up` makes new tokens (the running agents know the ' +
    'old one)',
  make: () => randomUUID(),
});

export const ACL_TOKENS: Record<keyof AclTokens, SecretKind> = {
  consulManagement: token('consul-management.token', 'Consul management token'),
  consulAgent: token('consul-agent.token', 'Consul agent token'),
  consulDns: token('consul-dns.token', 'Consul DNS token'),
  consulNomad: token('consul-nomad.token', "Nomad's Consul token"),
  nomadManagement: token('nomad-management.token', 'Nomad management token'),
};

/** The lab's tokens, made the first time. */
export async function ensureAclTokens(stateDir: string): Promise<AclTokens> {
  const entries = await Promise.all(
    Object.entries(ACL_TOKENS).map(async ([name, kind]) => [name, await ensureSecret(stateDir, kind)] as const),
  );
  return Object.fromEntries(entries) as unknown as AclTokens;
}

/** The lab's tokens as `up` left them, for status, verify and reset; undefined when `up` has not made them. */
export async function readAclTokens(stateDir: string): Promise<AclTokens | undefined> {
  const entries = await Promise.all(
    Object.entries(ACL_TOKENS).map(async ([name, kind]) => [name, await readLabSecret(stateDir, kind)] as const),
  );
  if (entries.some(([, value]) => value === undefined)) return undefined;
  return Object.fromEntries(entries) as unknown as AclTokens;
}
