import { labStateDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';
import { ensureAclTokens } from '../state/acl-tokens.ts';
import { ensureLabTls } from '../state/lab-tls.ts';

/** The lab's ACL tokens and its CA and certificates (`security` in the cluster file), made once on the host. */
export const labSecurity = defineStep({
  name: 'ACL tokens and certificates',
  needs: ['artifacts'],
  makes: ['security'],
  async run({ cluster, artifacts }) {
    const { acl, tls } = cluster.spec.security;
    if (!acl && !tls) return { security: {}, skipped: 'security.acl and security.tls are off' };
    const dir = labStateDir(cluster);
    const security = {
      ...(acl ? { acl: await ensureAclTokens(dir) } : {}),
      ...(tls ? { tls: await ensureLabTls(dir, artifacts.consul.path, cluster.spec) } : {}),
    };
    const made = [
      ...(acl ? ['ACL tokens'] : []),
      ...(tls ? [`a CA and ${cluster.spec.nodes.length + 1} certificates`] : []),
    ];
    return { security, summary: `${made.join(', ')} in ${dir}` };
  },
});
