import { consulMembers, type Member } from './facts/health.ts';
import { agentCredentials, CONSUL_HTTP_PORT, CONSUL_HTTPS_PORT, NOMAD_HTTP_PORT } from './lab-access.ts';
import { AgentClient, TOKEN_HEADER, type AgentEndpoint } from './remote/agent-client.ts';
import type { ConsulMember } from './remote/agent-types.ts';
import { sshDialer } from './remote/dialer.ts';
import type { Remote } from './remote/remote.ts';
import type { LabSecurity } from './state/security.ts';

// A node's own Consul and Nomad as `up`, `status` and `reset` ask them: through the node's SSH session (so it works
// wherever SSH does, whatever this host can reach), at 127.0.0.1 (render/node-config.ts: the agents listen there and
// on the lab address), with the lab's management token and nomad-lab's client certificate, which the agents accept.

export type AgentProduct = 'consul' | 'nomad';

/** Where a node's agent is, as seen from the node, and what nomad-lab's requests to it carry. */
export function nodeAgentEndpoint(
  remote: Pick<Remote, 'node' | 'forward'>,
  product: AgentProduct,
  security: LabSecurity = {},
): AgentEndpoint {
  const credentials = agentCredentials(security);
  const consulPort = credentials.tls ? CONSUL_HTTPS_PORT : CONSUL_HTTP_PORT;
  return {
    name: product === 'nomad' ? 'Nomad API' : 'Consul API',
    host: '127.0.0.1',
    port: product === 'nomad' ? NOMAD_HTTP_PORT : consulPort,
    tls: credentials.tls,
    tokenHeader: TOKEN_HEADER[product],
    token: product === 'nomad' ? credentials.nomadToken : credentials.consulToken,
    dialer: sshDialer(remote),
  };
}

/** A node's Consul or Nomad API, through its SSH session. */
export function nodeAgent(
  remote: Pick<Remote, 'node' | 'forward'>,
  product: AgentProduct,
  security: LabSecurity = {},
): AgentClient {
  return new AgentClient(nodeAgentEndpoint(remote, product, security));
}

/** The Consul members a node's agent knows of (`/v1/agent/members`), as `consul members` shows them. */
export async function nodeConsulMembers(
  remote: Pick<Remote, 'node' | 'forward'>,
  security: LabSecurity = {},
): Promise<Member[]> {
  return consulMembers(await nodeAgent(remote, 'consul', security).get<ConsulMember[]>('/v1/agent/members'));
}

/**
 * A node's Consul asked to join each address (`consul join`). A join that fails is not an error: the caller polls
 * the members and asks again; what it counts is who is alive.
 */
export async function nodeConsulJoin(
  remote: Pick<Remote, 'node' | 'forward'>,
  security: LabSecurity,
  addresses: readonly string[],
): Promise<void> {
  const agent = nodeAgent(remote, 'consul', security);
  await Promise.allSettled(addresses.map((a) => agent.put(`/v1/agent/join/${encodeURIComponent(a)}`)));
}
