import { firstServer } from '../config/topology.ts';
import { labStateDir } from '../host/dirs.ts';
import type { ApiChange, Change } from '../ops/change.ts';
import type { Base, Products } from '../pipeline/state.ts';
import { defineAgentPlanner, type WaitPhase } from '../pipeline/step.ts';
import { waitFor } from '../pipeline/wait.ts';
import { nodeAgent, type AgentProduct } from '../node-agents.ts';
import type { Remote } from '../remote/remote.ts';
import type { AclTokens } from '../state/acl-tokens.ts';

// The lab's ACLs as planned changes: what the agents say (read through their API) in, the requests that make the
// missing policies and tokens out. `plan` shows them; `up` sends them. Secrets travel in the bodies, never shown.

type Needs = Base & Pick<Products, 'security' | 'remotes'>;

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

/** 200 from the agent's token/self with this secret: the token exists. No answer at all counts as not (yet). */
async function knows(remote: Remote, product: AgentProduct, state: Needs, secret: string): Promise<boolean> {
  try {
    const self = await nodeAgent(remote, product, state.security)
      .withToken(secret)
      .request('GET', '/v1/acl/token/self');
    return self.status === 200;
  } catch {
    return false;
  }
}

/** Consul's servers make the management token from their config; the policies and tokens wait for it. */
export const consulManagementToken: WaitPhase<'security' | 'remotes'> = {
  async wait(state, say) {
    const tokens = state.security.acl;
    if (!tokens) return;
    const first = state.remotes.get(firstServer(state.cluster.spec).name)!;
    await waitFor(
      "Consul to accept the lab's management token",
      async () =>
        (await knows(first, 'consul', state, tokens.consulManagement)) ? [] : ['Consul does not know it yet'],
      { timeoutMs: 60_000, onWaiting: (left) => say(left.join(', ')) },
    );
  },
};

/** Facts: which of the lab's Consul tokens and policies exist. */
export interface ConsulAclFacts {
  tokens: Partial<Record<keyof AclTokens, boolean>>;
  policies: Record<string, boolean>;
}

/**
 * Consul's policies and tokens that do not exist yet, each token with the SecretID the agents' configs already
 * hold. One that exists is left alone: a second `up` changes nothing.
 */
export const consulAcl = defineAgentPlanner({
  node: (state: Needs) => firstServer(state.cluster.spec),
  async read(remote, state: Needs): Promise<ConsulAclFacts> {
    const facts: ConsulAclFacts = { tokens: {}, policies: {} };
    const tokens = state.security.acl;
    if (!tokens) return facts;
    const api = nodeAgent(remote, 'consul', state.security);
    // The three tokens asked at once: each is one request through the server's SSH session.
    await Promise.all(
      CONSUL_TOKENS.map(async ({ token, policy }) => {
        facts.tokens[token] = await knows(remote, 'consul', state, tokens[token]);
        if (facts.tokens[token]) return;
        try {
          facts.policies[policy] = (await api.request('GET', `/v1/acl/policy/name/${policy}`)).status === 200;
        } catch {
          facts.policies[policy] = false;
        }
      }),
    );
    return facts;
  },
  plan(facts: ConsulAclFacts, state: Needs): Change[] {
    const tokens = state.security.acl;
    if (!tokens) return [];
    return CONSUL_TOKENS.filter(({ token }) => !facts.tokens[token]).flatMap(({ token, policy, rules }) => {
      const changes: ApiChange[] = [];
      if (!facts.policies[policy]) {
        changes.push({
          kind: 'api',
          product: 'consul',
          method: 'PUT',
          path: '/v1/acl/policy',
          body: { Name: policy, Description: 'made by nomad-lab', Rules: rules },
          description: `created Consul ACL policy ${policy}`,
        });
      }
      changes.push({
        kind: 'api',
        product: 'consul',
        method: 'PUT',
        path: '/v1/acl/token',
        body: { SecretID: tokens[token], Description: `nomad-lab: ${policy}`, Policies: [{ Name: policy }] },
        description: `created Consul ACL token ${policy} (its secret is in the lab's state folder)`,
        reason: 'Consul does not know it',
      });
      return changes;
    });
  },
});

/**
 * Nomad's ACLs: bootstrapped once, with the lab's management token as the bootstrap secret. A Nomad that knows the
 * token changes nothing; one bootstrapped with another token is refused with what to do.
 */
export const nomadAcl = defineAgentPlanner({
  node: (state: Needs) => firstServer(state.cluster.spec),
  async read(remote, state: Needs): Promise<{ bootstrapped: boolean }> {
    const tokens = state.security.acl;
    return { bootstrapped: !tokens || (await knows(remote, 'nomad', state, tokens.nomadManagement)) };
  },
  plan(facts: { bootstrapped: boolean }, state: Needs): Change[] {
    const tokens = state.security.acl;
    if (!tokens || facts.bootstrapped) return [];
    const file = `${labStateDir(state.cluster)}/nomad-management.token`;
    return [
      {
        kind: 'api',
        product: 'nomad',
        method: 'POST',
        path: '/v1/acl/bootstrap',
        body: { BootstrapSecret: tokens.nomadManagement },
        description: "bootstrapped Nomad ACLs (the management token is in the lab's state folder)",
        reason: "Nomad does not know the lab's management token",
        // A leader elected a moment ago may not take it yet.
        retryMs: 60_000,
        refused: {
          match: /bootstrap already done/i,
          message:
            `Nomad's ACLs were bootstrapped with a token other than the lab's (${file}): put that token in the ` +
            'file, or `nomad-lab down` and `nomad-lab up` the lab',
        },
      },
    ];
  },
});
