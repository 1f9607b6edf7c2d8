import type { Cluster } from '../config/load.ts';
import { NomadLabError } from '../errors.ts';
import { labStateDir } from '../host/dirs.ts';
import type { NodeSecurity } from '../lab-secrets.ts';
import { readAclTokens, type AclTokens } from './acl-tokens.ts';
import { readLabTls, readRegistryTls, type LabTls, type RegistryTls } from './lab-tls.ts';
import { readRegistryCredentials, type RegistryCredentials } from './registry-secrets.ts';

/**
 * What `security` in the cluster file makes: the lab's tokens (acl) and its CA and certificates (tls); and what a
 * `registry` needs: its credentials and its certificate from the same CA.
 */
export interface LabSecurity {
  acl?: AclTokens;
  tls?: LabTls;
  registry?: LabRegistrySecrets;
}

export interface LabRegistrySecrets {
  credentials: RegistryCredentials;
  tls: RegistryTls;
}

/** One node's part: the tokens its agents use and its own certificate. */
export function nodeSecurity(security: LabSecurity, node: { name: string }): NodeSecurity {
  const pair = security.tls?.nodes.get(node.name);
  if (security.tls && !pair)
    throw new NomadLabError(`no certificate for ${node.name} in the lab's tls folder: run \`nomad-lab up\``);
  return {
    ...(security.acl ? { acl: security.acl } : {}),
    ...(security.tls && pair ? { tls: { ca: security.tls.ca, ...pair } } : {}),
  };
}

/**
 * The lab's tokens and certificates as `up` left them (status, verify, reset, plan); an error when `up` has not made
 * them yet.
 */
export async function readLabSecurity(cluster: Pick<Cluster, 'dir' | 'spec'>): Promise<LabSecurity> {
  const { acl, tls } = cluster.spec.security;
  const dir = labStateDir(cluster);
  const missing = (what: string) =>
    new NomadLabError(
      `security.${what} is on, but the lab's state ` +
        `folder ${dir} holds no ${what === 'acl' ? 'ACL tokens' : 'CA'}: run \`nomad-lab up\` first`,
    );
  const security: LabSecurity = {};
  if (acl) security.acl = (await readAclTokens(dir)) ?? raise(missing('acl'));
  if (tls) security.tls = (await readLabTls(dir, cluster.spec)) ?? raise(missing('tls'));
  if (cluster.spec.registry) {
    const credentials = await readRegistryCredentials(dir);
    const registryTls = await readRegistryTls(dir);
    if (!credentials || !registryTls)
      throw new NomadLabError(
        `the cluster file has a registry, but the lab's state folder ${dir} holds no registry password or ` +
          'certificate: run `nomad-lab up` first',
      );
    security.registry = { credentials, tls: registryTls };
  }
  return security;
}

function raise(error: Error): never {
  throw error;
}
