import test from 'ava';
import { parseCluster } from '../../src/config/load.ts';
import type { ApiChange } from '../../src/ops/change.ts';
import { providerFor } from '../../src/providers/index.ts';
import { newUpState, type Base, type Products } from '../../src/pipeline/state.ts';
import { consulAcl, nomadAcl, type ConsulAclFacts } from '../../src/steps/acl.ts';

// The lab's ACLs as planned changes, facts in and changes out: what `plan` shows is what `up` sends.

const FILE = `version: 1
network: { cidr: 10.9.0.0/24 }
security: { acl: true }
nodes:
  - { name: a, role: both, address: 10.9.0.2 }
`;

const ACL = {
  consulManagement: 'c-management',
  consulAgent: 'c-agent-secret',
  consulDns: 'c-dns-secret',
  consulNomad: 'c-nomad-secret',
  nomadManagement: 'n-management-secret',
} as Products['security']['acl'];

function state(acl = true): Base & Pick<Products, 'security' | 'remotes'> {
  const cluster = {
    file: '/tmp/lab/cluster.yaml',
    ...parseCluster(FILE, { displayName: 'cluster.yaml', baseDir: '/tmp/lab' }),
  };
  return {
    ...newUpState(cluster, { provider: providerFor(cluster) }),
    security: acl ? { acl: ACL } : {},
    remotes: new Map(),
  };
}

const all = (value: boolean): ConsulAclFacts => ({
  tokens: { consulAgent: value, consulDns: value, consulNomad: value },
  policies: value ? {} : { 'nomad-lab-agent': false, 'nomad-lab-dns': false, 'nomad-lab-nomad': false },
});

test('Consul: every token known, nothing to do; no ACLs asked for, nothing either', (t) => {
  t.deepEqual(consulAcl.plan(all(true), state()), []);
  t.deepEqual(consulAcl.plan(all(false), state(false)), []);
});

test('Consul: a fresh cluster gets each policy, then its token with the secret the agents hold', (t) => {
  const changes = consulAcl.plan(all(false), state()) as ApiChange[];
  t.deepEqual(
    changes.map((c) => `${c.method} ${c.path}: ${c.description}`),
    [
      'PUT /v1/acl/policy: created Consul ACL policy nomad-lab-agent',
      "PUT /v1/acl/token: created Consul ACL token nomad-lab-agent (its secret is in the lab's state folder)",
      'PUT /v1/acl/policy: created Consul ACL policy nomad-lab-dns',
      "PUT /v1/acl/token: created Consul ACL token nomad-lab-dns (its secret is in the lab's state folder)",
      'PUT /v1/acl/policy: created Consul ACL policy nomad-lab-nomad',
      "PUT /v1/acl/token: created Consul ACL token nomad-lab-nomad (its secret is in the lab's state folder)",
    ],
  );
  t.like(changes[1]!.body, { SecretID: 'c-agent-secret', Policies: [{ Name: 'nomad-lab-agent' }] });
});

test('Consul: a token lost with its policy kept: only the token, and no secret in what plan shows', (t) => {
  const facts: ConsulAclFacts = {
    tokens: { consulAgent: true, consulDns: false, consulNomad: true },
    policies: { 'nomad-lab-dns': true },
  };
  const changes = consulAcl.plan(facts, state()) as ApiChange[];
  t.deepEqual(
    changes.map((c) => c.description),
    ["created Consul ACL token nomad-lab-dns (its secret is in the lab's state folder)"],
  );
  t.false(JSON.stringify(changes.map((c) => [c.description, c.reason])).includes('c-dns-secret'));
});

test('Nomad: bootstrapped with the lab token, nothing; else one bootstrap that retries and names a refusal', (t) => {
  t.deepEqual(nomadAcl.plan({ bootstrapped: true }, state()), []);
  const [bootstrap, ...rest] = nomadAcl.plan({ bootstrapped: false }, state()) as ApiChange[];
  t.deepEqual(rest, []);
  t.like(bootstrap, {
    kind: 'api',
    product: 'nomad',
    method: 'POST',
    path: '/v1/acl/bootstrap',
    body: { BootstrapSecret: 'n-management-secret' },
    retryMs: 60_000,
  });
  t.true(bootstrap!.refused!.match.test('ACL bootstrap already done (reset index: 7)'));
  t.regex(bootstrap!.refused!.message, /\/tmp\/lab\/.*nomad-management\.token/);
  t.false(bootstrap!.description.includes('n-management-secret'));
});
