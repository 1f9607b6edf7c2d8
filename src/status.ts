import type { Cluster } from './config/load.ts';
import { labUrls, type LabUrls } from './lab-access.ts';
import type { AllocationStub, JobListStub } from './nomad/allocations.ts';
import { NomadApi } from './nomad/api.ts';
import { providerFor } from './providers/index.ts';
import type { MachineStatus } from './providers/provider.ts';
import { firstServer } from './config/topology.ts';
import { closeAll, openSessions } from './sessions.ts';
import type { Member } from './facts/health.ts';
import { nodeConsulMembers } from './node-agents.ts';
import type { NomadAgentMembers, NomadNodeStub } from './remote/agent-types.ts';
import { readLabSecurity } from './state/security.ts';

export interface LabStatus {
  machines: MachineStatus[];
  /** The Nomad and Consul UIs (on the first server). */
  urls: LabUrls;
  consul: Member[];
  nomad?: {
    leader: string;
    servers: { name: string; status: string; leader: boolean }[];
    clients: { name: string; status: string; docker: string }[];
    jobs: { id: string; type: string; status: string }[];
    allocations: { id: string; job: string; group: string; node: string; status: string; healthy: boolean | null }[];
  };
  /** What could not be read, e.g. machines that are down. */
  problems: string[];
}

/** Machines, Consul members, Nomad servers, clients, jobs and allocations, in one view. */
export async function labStatus(cluster: Cluster): Promise<LabStatus> {
  const machines = await providerFor(cluster).status(cluster);
  const status: LabStatus = { machines, urls: labUrls(cluster), consul: [], problems: [] };
  const server = firstServer(cluster.spec).name;
  if (machines.find((m) => m.node === server)?.state !== 'running' && cluster.spec.provider.type === 'vagrant') {
    status.problems.push(`${server} is not running: nothing more to ask`);
    return status;
  }
  const security = await readLabSecurity(cluster);
  const remotes = await openSessions(cluster, [server]);
  try {
    const remote = remotes.get(server)!;
    try {
      status.consul = await nodeConsulMembers(remote, security);
    } catch (error) {
      status.problems.push(`Consul members on ${server}: ${(error as Error).message.split('\n', 1)[0]}`);
    }
    try {
      const api = new NomadApi(remote, security);
      const leader = await api.get<string>('/v1/status/leader');
      const agents = await api.get<NomadAgentMembers>('/v1/agent/members');
      const nodes = await api.get<NomadNodeStub[]>('/v1/nodes');
      const jobs = await api.get<JobListStub[]>('/v1/jobs');
      const allocations = await api.get<(AllocationStub & { JobID: string })[]>('/v1/allocations');
      status.nomad = {
        leader,
        servers: agents.Members.map((m) => ({
          name: m.Name,
          status: m.Status,
          leader: `${m.Addr}:${m.Tags?.['port']}` === leader,
        })),
        clients: nodes.map((n) => ({
          name: n.Name,
          status: n.Status,
          docker: n.Drivers?.['docker']?.Healthy ? 'healthy' : 'unhealthy',
        })),
        jobs: jobs.map((j) => ({ id: j.ID, type: j.Type, status: j.Status })),
        allocations: allocations
          .filter((a) => a.DesiredStatus === 'run')
          .map((a) => ({
            id: a.ID.slice(0, 8),
            job: a.JobID,
            group: a.TaskGroup,
            node: a.NodeName,
            status: a.ClientStatus,
            healthy: a.DeploymentStatus?.Healthy ?? null,
          })),
      };
    } catch (error) {
      status.problems.push((error as Error).message);
    }
  } finally {
    await closeAll(remotes);
  }
  return status;
}
