import { failureEvent } from '../nomad/allocations.ts';
import type { AllocationStub, JobListStub } from '../remote/agent-types.ts';

const DRIVER_FAILURE = 'Driver Failure';

/** What one job's allocations show: the tasks that failed, or keep failing, each with Nomad's reason. */
export interface JobState {
  job: string;
  failing: string[];
}

/**
 * Per job Nomad runs (a stopped or dead one aside), the tasks of its live allocations that failed or whose last event
 * keep failing to start (a pull refused), with the reason Nomad gives: `1b2c3d4e on client1, task web:
 * Failed to pull ...: unauthorized`. An allocation already replaced by another is past.
 */
export function jobStates(jobs: readonly JobListStub[], allocations: readonly AllocationStub[]): JobState[] {
  return jobs
    .filter((job) => job.Status !== 'dead' && job.Stop !== true)
    .map((job) => ({
      job: job.ID,
      failing: allocations
        .filter((a) => a.JobID === job.ID && a.DesiredStatus === 'run' && !a.NextAllocation)
        .flatMap((a) =>
          Object.entries(a.TaskStates ?? {}).flatMap(([task, state]) => {
            // A task Nomad keeps restarting after its driver failed (an image it cannot pull) has not failed yet.
            const retrying = state.State !== 'running' && (state.Events ?? []).some((e) => e.Type === DRIVER_FAILURE);
            if (a.ClientStatus === 'complete' || !(state.Failed || retrying)) return [];
            const event = failureEvent(state.Events);
            const why = event?.DisplayMessage || event?.Message || event?.Type || 'failed';
            return [`${a.ID.slice(0, 8)} on ${a.NodeName}, task ${task}: ${why}`];
          }),
        ),
    }));
}
