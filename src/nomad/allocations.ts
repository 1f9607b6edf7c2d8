/** The parts of Nomad's API objects nomad-lab reads (as Nomad 1.11 sends them). */

/** Something that happened to a task; `Time` in Unix nanoseconds. */
export interface TaskEvent {
  Type: string;
  DisplayMessage?: string;
  Message?: string;
  Time?: number;
}

/** Nomad's task events that say why a task failed; the events after them (Not Restarting, Alloc Unhealthy) do not. */
const FAILURE_EVENTS = new Set([
  'Driver Failure',
  'Setup Failure',
  'Failed Validation',
  'Failed Artifact Download',
  'Terminated',
  'Failed Restoring Task',
]);

/** The event that says why a failed task failed: the last of Nomad's failure events, else its last event. */
export function failureEvent(events: readonly TaskEvent[] | null | undefined): TaskEvent | undefined {
  return [...(events ?? [])].reverse().find((e) => FAILURE_EVENTS.has(e.Type)) ?? events?.at(-1);
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

/**
 * What keeps a service job from being healthy: per group, how many allocations still have to run
 * healthy, and the last event of any failed task. Empty when every group has its count.
 */
export function unhealthyGroups(job: JobSpecJson, allocations: readonly AllocationStub[]): string[] {
  return (job.TaskGroups ?? []).flatMap((group) => {
    const want = group.Count ?? 1;
    const live = allocations.filter((a) => a.TaskGroup === group.Name && a.DesiredStatus === 'run');
    const healthy = live.filter(
      (a) => a.ClientStatus === 'running' && (job.Type === 'batch' || a.DeploymentStatus?.Healthy === true),
    );
    if (healthy.length >= want) return [];
    const failed = live.flatMap((a) =>
      Object.entries(a.TaskStates ?? {})
        .filter(([, s]) => s.Failed)
        .map(([task, s]) => `${a.NodeName}/${task}: ${failureEvent(s.Events)?.DisplayMessage ?? 'failed'}`),
    );
    return [
      `${job.ID}.${group.Name} ${healthy.length}/${want} healthy${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`,
    ];
  });
}
