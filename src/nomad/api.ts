import { nodeAgentEndpoint } from '../node-agents.ts';
import { AgentClient } from '../remote/agent-client.ts';
import type { Remote } from '../remote/remote.ts';
import type { LabSecurity } from '../state/security.ts';

/** Nomad's HTTP API of a node, through its SSH session, with the lab's management token and certificate. */
export class NomadApi extends AgentClient {
  constructor(remote: Pick<Remote, 'node' | 'forward'>, security: LabSecurity = {}) {
    super(nodeAgentEndpoint(remote, 'nomad', security));
  }
}
