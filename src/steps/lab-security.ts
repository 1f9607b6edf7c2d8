import { labStateDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';
import { ensureAclTokens } from '../state/acl-tokens.ts';
import { registryNode } from '../config/registry.ts';
import { ensureLabTls, ensureRegistryTls } from '../state/lab-tls.ts';
import { ensureRegistryCredentials } from '../state/registry-secrets.ts';

/**
 * The lab's ACL tokens and its CA and certificates (`security` in the cluster file), and the registry's password and
 * certificate (`registry`), made once on the host.
 */
export const labSecurity = defineStep({
  name: 'ACL tokens and certificates',
  needs: ['artifacts'],
  makes: ['security'],
  async run({ cluster, artifacts }) {
    const { acl, tls } = cluster.spec.security;
    const registry = registryNode(cluster.spec);
    if (!acl && !tls && !registry)
      return { security: {}, skipped: 'security.acl and security.tls are off, and there is no registry' };
    const dir = labStateDir(cluster);
    const consul = artifacts.consul.path;
    const security = {
      ...(acl ? { acl: await ensureAclTokens(dir) } : {}),
      ...(tls ? { tls: await ensureLabTls(dir, consul, cluster.spec) } : {}),
      ...(registry
        ? {
            registry: {
              credentials: await ensureRegistryCredentials(dir),
              tls: await ensureRegistryTls(dir, consul, cluster.spec, registry),
            },
          }
        : {}),
    };
    const made = [
      ...(acl ? ['ACL tokens'] : []),
      ...(tls ? [`a CA and ${cluster.spec.nodes.length + 1} certificates`] : []),
      ...(registry ? ["the registry's password and certificate"] : []),
    ];
    return { security, summary: `${made.join(', ')} in ${dir}` };
  },
});
