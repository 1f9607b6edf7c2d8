import pMap from 'p-map';
import type {
  AllocationStub,
  JobListStub,
  ConsulAgentSelf,
  ConsulMember,
  NomadAgentMembers,
  NomadAgentSelf,
  NomadMember,
  NomadNode,
  NomadNodeStub,
  RaftConfiguration,
  RaftServer,
} from '../remote/agent-types.ts';
import type { VerifyError } from '../errors.ts';
import type { Dialer, Reach } from './dialer.ts';
import { agentApi, getJson, getJsonArray, settle, type AgentCredentials } from './http-json.ts';
import type { HttpAuth } from './probes.ts';
import { servers } from '../config/topology.ts';

// What the agents say of the cluster, read over their HTTP APIs; every request bounded by the timeout.

/** The servers' view of the cluster, from the first server whose API answered. */
export interface ConsulView {
  /** The node asked. */
  from: string;
  leader: string;
  members: ConsulMember[];
  raft: RaftServer[];
}

export interface NomadView {
  from: string;
  leader: string;
  members: NomadMember[];
  /** Nomad's nodes, in full, for the names verify expects. */
  nodes: NomadNode[];
  /** Every job Nomad has and every allocation: a job whose tasks fail is named, whoever ran it. */
  jobs?: JobListStub[];
  allocations?: AllocationStub[];
}

export interface ClusterFacts {
  /** Each node's own Consul agent, by node name. */
  consulAgents: Map<string, ConsulAgentSelf | VerifyError>;
  nomadAgents: Map<string, NomadAgentSelf | VerifyError>;
  consul: ConsulView | VerifyError;
  nomad: NomadView | VerifyError;
}

export interface FactNode {
  name: string;
  role: 'server' | 'client' | 'both';
  address: string;
}

export interface FactOptions {
  consulHttpPort: number;
  nomadHttpPort: number;
  timeoutMs: number;
  concurrency: number;
  credentials: AgentCredentials;
  /** How each node's APIs are reached (by node name). */
  reach: Pick<Reach, 'dialer'>;
}

/** Reads every node's agents and the servers' view of both clusters, all at once. */
export async function readClusterFacts(nodes: readonly FactNode[], o: FactOptions): Promise<ClusterFacts> {
  const consulApi = (node: FactNode) => agentApi(node.address, o.consulHttpPort, 'consul', o.credentials);
  const nomadApi = (node: FactNode) => agentApi(node.address, o.nomadHttpPort, 'nomad', o.credentials);
  const serverNodes = servers({ nodes });
  const consulAgents = new Map<string, ConsulAgentSelf | VerifyError>();
  const nomadAgents = new Map<string, NomadAgentSelf | VerifyError>();
  const reads: (() => Promise<unknown>)[] = nodes.flatMap((node) => [
    async () =>
      consulAgents.set(
        node.name,
        await settle(
          getJson<ConsulAgentSelf>(
            `${consulApi(node).base}/v1/agent/self`,
            o.timeoutMs,
            consulApi(node).auth,
            o.reach.dialer(node.name),
          ),
        ),
      ),
    async () =>
      nomadAgents.set(
        node.name,
        await settle(
          getJson<NomadAgentSelf>(
            `${nomadApi(node).base}/v1/agent/self`,
            o.timeoutMs,
            nomadApi(node).auth,
            o.reach.dialer(node.name),
          ),
        ),
      ),
  ]);
  let consul: ConsulView | VerifyError | undefined;
  let nomad: NomadView | VerifyError | undefined;
  reads.push(
    async () =>
      (consul = await firstAnswer(serverNodes, (node) =>
        consulView(node, consulApi(node), o.timeoutMs, o.reach.dialer(node.name)),
      )),
    async () =>
      (nomad = await firstAnswer(serverNodes, (node) =>
        nomadView(node, nomadApi(node), nodes, o.timeoutMs, o.reach.dialer(node.name)),
      )),
  );
  await pMap(reads, (read) => read(), { concurrency: o.concurrency });
  return { consulAgents, nomadAgents, consul: consul!, nomad: nomad! };
}

/** The view from the first server that answers; the first server's error when none does. */
async function firstAnswer<T>(
  servers: readonly FactNode[],
  read: (node: FactNode) => Promise<T>,
): Promise<T | VerifyError> {
  let first: VerifyError | undefined;
  for (const node of servers) {
    const outcome = await settle(read(node));
    if (!(outcome instanceof Error)) return outcome;
    first ??= outcome;
  }
  return first!;
}

async function consulView(
  node: FactNode,
  { base: api, auth }: { base: string; auth: HttpAuth },
  timeoutMs: number,
  dialer: Dialer,
): Promise<ConsulView> {
  const [leader, members, raft] = await Promise.all([
    getJson<string>(`${api}/v1/status/leader`, timeoutMs, auth, dialer),
    getJsonArray<ConsulMember>(`${api}/v1/agent/members`, timeoutMs, auth, dialer),
    getJson<RaftConfiguration>(`${api}/v1/operator/raft/configuration`, timeoutMs, auth, dialer),
  ]);
  return { from: node.name, leader, members, raft: raft.Servers ?? [] };
}

async function nomadView(
  node: FactNode,
  { base: api, auth }: { base: string; auth: HttpAuth },
  expected: readonly FactNode[],
  timeoutMs: number,
  dialer: Dialer,
): Promise<NomadView> {
  const [leader, members, stubs, jobs, allocations] = await Promise.all([
    getJson<string>(`${api}/v1/status/leader`, timeoutMs, auth, dialer),
    getJson<NomadAgentMembers>(`${api}/v1/agent/members`, timeoutMs, auth, dialer),
    getJsonArray<NomadNodeStub>(`${api}/v1/nodes`, timeoutMs, auth, dialer),
    getJsonArray<JobListStub>(`${api}/v1/jobs`, timeoutMs, auth, dialer),
    getJsonArray<AllocationStub>(`${api}/v1/allocations`, timeoutMs, auth, dialer),
  ]);
  const names = new Set(expected.map((n) => n.name));
  const wanted = stubs.filter((s) => names.has(s.Name));
  const nodes = await Promise.all(
    wanted.map((s) => getJson<NomadNode>(`${api}/v1/node/${encodeURIComponent(s.ID)}`, timeoutMs, auth, dialer)),
  );
  return { from: node.name, leader, members: members.Members ?? [], nodes, jobs, allocations };
}
