import type { AllocationStub, JobSpecJson, TaskEvent } from '../remote/agent-types.ts';

export type {
  TaskEvent,
  TaskState,
  AllocationStub,
  NomadPort,
  NetworkResource,
  Allocation,
  JobListStub,
  JobSpecJson,
  JobSummary,
  AllocMetric,
  Evaluation,
} from '../remote/agent-types.ts';

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
