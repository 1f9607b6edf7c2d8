import { randomUUID } from 'node:crypto';
import { ensureSecret, readLabSecret, type SecretKind } from './private-file.ts';

/**
 * The lab's ACL tokens, each a secret made on the host (a random UUID, which Consul and Nomad take as a
 * token's SecretID) and kept in the state folder: Consul's servers create the management token from their
 * config (`initial_management`), Nomad takes its own at bootstrap (`BootstrapSecret`), and the others are
 * created by `up` with their policies. Knowing them before the agents start keeps configs stable across runs.
 */
export interface AclTokens {
  /** Consul's management token: nomad-lab's own requests to Consul. */
  consulManagement: string;
  /** Every Consul agent's own token (node write, service read). */
  consulAgent: string;
  /** What Consul's DNS answers with (node and service read). */
  consulDns: string;
  /** Nomad agents' token for Consul (the policy Nomad's Consul ACL guide gives). */
  consulNomad: string;
  /** Nomad's management token: nomad-lab's own requests to Nomad. */
  nomadManagement: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const token = (file: string, what: string): SecretKind => ({
  file,
  what,
  noun: 'token',
  pattern: UUID,
  form: 'token (a UUID)',
  replace: 'remove it and `nomad-lab down` the lab, then `nomad-lab up` makes new tokens (the running agents know the old one)',
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
  const entries = await Promise.all(Object.entries(ACL_TOKENS).map(async ([name, kind]) => [name, await ensureSecret(stateDir, kind)] as const));
  return Object.fromEntries(entries) as unknown as AclTokens;
}

/** The lab's tokens as `up` left them, for status, verify and reset; undefined when `up` has not made them. */
export async function readAclTokens(stateDir: string): Promise<AclTokens | undefined> {
  const entries = await Promise.all(Object.entries(ACL_TOKENS).map(async ([name, kind]) => [name, await readLabSecret(stateDir, kind)] as const));
  if (entries.some(([, value]) => value === undefined)) return undefined;
  return Object.fromEntries(entries) as unknown as AclTokens;
}
