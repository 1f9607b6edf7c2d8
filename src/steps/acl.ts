import { tail } from '../errors.ts';
import { labStateDir } from '../host/dirs.ts';
import { recordChange, type Base } from '../pipeline/state.ts';
import { GaveUp, waitFor } from '../pipeline/wait.ts';
import { nodeAgent } from '../node-agents.ts';
import type { Remote } from '../remote/remote.ts';
import type { AclTokens } from '../state/acl-tokens.ts';
import type { LabSecurity } from '../state/security.ts';

/** A Consul token nomad-lab makes, with the policy it names (the rules each guide gives). */
interface ConsulToken {
  token: keyof AclTokens;
  policy: string;
  rules: string;
}

const CONSUL_TOKENS: readonly ConsulToken[] = [
  // Consul's "Create an agent token": register its node, discover services.
  {
    token: 'consulAgent',
    policy: 'nomad-lab-agent',
    rules: 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n',
  },
  // Consul's DNS guide: what DNS answers need.
  {
    token: 'consulDns',
    policy: 'nomad-lab-dns',
    rules:
      'node_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "read"\n}\nquery_prefix "" {\n  ' +
      'policy = "read"\n}\n',
  },
  // Nomad's "Integrate Consul ACL": Nomad agents register themselves and their workloads' services.
  {
    token: 'consulNomad',
    policy: 'nomad-lab-nomad',
    rules:
      'agent_prefix "" {\n  policy = "read"\n}\nnode_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  ' +
      'policy = "write"\n}\nacl  = "write"\nmesh = "write"\n',
  },
];

type State = Pick<Base, 'changes' | 'cluster'> & { security: LabSecurity };

/**
 * Consul's ACLs on a running cluster: the servers made the management token from their config; this waits for it,
 * then creates each policy and token that does not exist yet (with the SecretID the agents' configs already hold).
 * A token that exists is left alone: a second `up` changes nothing.
 */
export async function ensureConsulAcl(state: State, remote: Remote, say: (line: string) => void): Promise<void> {
  const tokens = state.security.acl;
  if (!tokens) return;
  const api = nodeAgent(remote, 'consul', state.security);
  const tokenExists = async (secret: string) =>
    (await api.withToken(secret).request('GET', '/v1/acl/token/self')).status === 200;
  await waitFor(
    "Consul to accept the lab's management token",
    async () => ((await tokenExists(tokens.consulManagement)) ? [] : ['Consul does not know the management token yet']),
    {
      timeoutMs: 60_000,
      onWaiting: (left) => say(left.join(', ')),
    },
  );
  for (const { token, policy, rules } of CONSUL_TOKENS) {
    if (await tokenExists(tokens[token])) continue;
    const existing = await api.request('GET', `/v1/acl/policy/name/${policy}`);
    if (existing.status !== 200)
      await api.put('/v1/acl/policy', { Name: policy, Description: 'made by nomad-lab', Rules: rules });
    await api.put('/v1/acl/token', {
      SecretID: tokens[token],
      Description: `nomad-lab: ${policy}`,
      Policies: [{ Name: policy }],
    });
    recordChange(state, remote.node, `created Consul ACL token ${policy} (its secret is in the lab's state folder)`);
  }
}

/**
 * Nomad's ACLs: bootstrapped once, with the lab's management token as the bootstrap secret. A Nomad that already
 * knows the token changes nothing; one bootstrapped with another token is an error that says what to do.
 */
export async function ensureNomadAcl(state: State, remote: Remote, say: (line: string) => void): Promise<void> {
  const tokens = state.security.acl;
  if (!tokens) return;
  const api = nodeAgent(remote, 'nomad', state.security);
  await waitFor(
    "Nomad ACLs bootstrapped with the lab's management token",
    async () => {
      if ((await api.request('GET', '/v1/acl/token/self')).status === 200) return [];
      const bootstrap = await api.request('POST', '/v1/acl/bootstrap', { BootstrapSecret: tokens.nomadManagement });
      if (bootstrap.status === 200) {
        recordChange(state, remote.node, "bootstrapped Nomad ACLs (the management token is in the lab's state folder)");
        return [];
      }
      if (/bootstrap already done/i.test(bootstrap.text)) {
        throw new GaveUp(
          `[${remote.node}] Nomad's ACLs were bootstrapped with a token other than the lab's (${labStateDir(state.cluster)}/nomad-management.token): ` +
            'put that token in the file, or `nomad-lab down` and `nomad-lab up` the lab',
        );
      }
      return [`ACL bootstrap: HTTP ${bootstrap.status}: ${tail(bootstrap.text, 1)}`];
    },
    { timeoutMs: 60_000, intervalMs: 2000, onWaiting: (left) => say(left.join(', ')) },
  );
}
