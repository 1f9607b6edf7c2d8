import { AgentApi, nomadAccess } from '../remote/agent-api.ts';
import type { Remote } from '../remote/remote.ts';
import type { LabSecurity } from '../state/security.ts';

/** Nomad's HTTP API as seen from a server node, with the lab's management token and certificate when it has them. */
export class NomadApi extends AgentApi {
  constructor(remote: Remote, security: LabSecurity = {}) {
    super(remote, nomadAccess(security));
  }
}
