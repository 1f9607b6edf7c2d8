// The parts of Consul's and Nomad's API answers nomad-lab reads (as Consul 1.22 and Nomad 1.11 send them), in one
// place: the steps, status, verify and alloc all read these.

// Consul

/** `/v1/agent/self` of a Consul agent, the part verify reads. */
export interface ConsulAgentSelf {
  Config: { Datacenter: string; NodeName: string; Server: boolean };
}

/** An entry of Consul's `/v1/agent/members`; Status 1 is alive. */
export interface ConsulMember {
  Name: string;
  Addr: string;
  Port?: number;
  Status: number;
  Tags?: Record<string, string>;
}

/** A server in Consul's `/v1/operator/raft/configuration`. */
export interface RaftServer {
  Node: string;
  Address: string;
  Leader: boolean;
  Voter: boolean;
}

/** Consul's `/v1/operator/raft/configuration`. */
export interface RaftConfiguration {
  Servers: RaftServer[];
}

/** An entry of Consul's `/v1/health/checks/<service>`. */
export interface ConsulCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Output?: string;
}

// Nomad

/** `/v1/agent/self` of a Nomad agent, the part verify reads. */
export interface NomadAgentSelf {
  config: {
    Region: string;
    Datacenter: string;
    NodeName?: string;
    Server?: { Enabled: boolean };
    Client?: { Enabled: boolean };
  };
}

/** An entry of Nomad's `/v1/agent/members`. */
export interface NomadMember {
  Name: string;
  Addr: string;
  Status: string;
  Tags?: Record<string, string>;
}

/** Nomad's `/v1/agent/members`. */
export interface NomadAgentMembers {
  Members: NomadMember[];
}

export interface NomadDriver {
  Detected: boolean;
  Healthy: boolean;
  HealthDescription?: string;
}

/** Nomad's `/v1/node/<id>`, the part verify reads. */
export interface NomadNode {
  ID: string;
  Name: string;
  Datacenter: string;
  Status: string;
  SchedulingEligibility: string;
  Drivers?: Record<string, NomadDriver>;
  HostVolumes?: Record<string, { Path: string; ReadOnly: boolean }> | null;
}

/** An entry of Nomad's `/v1/nodes`. */
export interface NomadNodeStub {
  ID: string;
  Name: string;
  Status: string;
  Drivers?: Record<string, NomadDriver>;
}

/** Something that happened to a task; `Time` in Unix nanoseconds. */
export interface TaskEvent {
  Type: string;
  DisplayMessage?: string;
  Message?: string;
  Time?: number;
}

export interface TaskState {
  State: string;
  Failed: boolean;
  Events?: TaskEvent[] | null;
}

/** An entry of `/v1/job/:id/allocations` or `/v1/allocations`. */
export interface AllocationStub {
  ID: string;
  Name: string;
  NodeName: string;
  TaskGroup: string;
  DesiredStatus: string;
  ClientStatus: string;
  JobID?: string;
  CreateIndex?: number;
  DeploymentStatus?: { Healthy?: boolean | null } | null;
  TaskStates?: Record<string, TaskState> | null;
  /** The allocation that replaced this one (a failed one rescheduled). */
  NextAllocation?: string;
}

/** A port of a network: `Value` on the host, `To` in the task's own network (bridge mode). */
export interface NomadPort {
  Label: string;
  Value: number;
  To?: number;
}

export interface NetworkResource {
  Mode?: string;
  /** The host address the ports are on. */
  IP?: string;
  ReservedPorts?: NomadPort[] | null;
  DynamicPorts?: NomadPort[] | null;
}

/** `/v1/allocation/:id`: the stub and what the allocation was given. */
export interface Allocation extends AllocationStub {
  AllocatedResources?: { Shared?: { Networks?: NetworkResource[] | null } | null } | null;
  /** Where Nomad before 0.9 put the networks; newer ones still fill it in. */
  Resources?: { Networks?: NetworkResource[] | null } | null;
}

/** An entry of `/v1/jobs`. */
export interface JobListStub {
  ID: string;
  Type: string;
  Status: string;
  Stop?: boolean;
}

/** `/v1/job/:id`, the parts read. */
export interface JobSpecJson {
  ID: string;
  Type?: string;
  TaskGroups?: { Name: string; Count?: number; Tasks?: { Name: string }[] | null }[];
}

/** `/v1/job/:id/summary`: per group, how many allocations are in each state; `Queued` ones are not placed yet. */
export interface JobSummary {
  JobID: string;
  Summary?: Record<string, Record<'Queued' | 'Starting' | 'Running' | 'Failed' | 'Complete' | 'Lost', number>> | null;
}

/** Why the scheduler placed no allocation of a group: what it tried and what ran out (the maps count nodes). */
export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered?: number;
  NodesAvailable?: Record<string, number> | null;
  ClassFiltered?: Record<string, number> | null;
  ConstraintFiltered?: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted?: Record<string, number> | null;
  DimensionExhausted?: Record<string, number> | null;
  QuotaExhausted?: string[] | null;
  /** How many more placements failed the same way. */
  CoalescedFailures?: number;
}

/** An entry of `/v1/job/:id/evaluations`. */
export interface Evaluation {
  ID: string;
  Status: string;
  TriggeredBy?: string;
  CreateIndex: number;
  /** Per group, why placements failed; empty when every allocation was placed. */
  FailedTGAllocs?: Record<string, AllocMetric> | null;
  /** Per group, the allocations left to place. */
  QueuedAllocations?: Record<string, number> | null;
  BlockedEval?: string;
}

/** `/v1/job/:id/plan` with a diff, the part read: `None` when the job runs as defined. */
export interface JobPlanResponse {
  Diff?: { Type: string };
}
