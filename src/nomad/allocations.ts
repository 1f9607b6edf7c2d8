/** The parts of Nomad's API objects nomad-lab reads. */
export interface AllocationStub {
  ID: string;
  Name: string;
  NodeName: string;
  TaskGroup: string;
  DesiredStatus: string;
  ClientStatus: string;
  DeploymentStatus?: { Healthy?: boolean | null } | null;
  TaskStates?: Record<string, { State: string; Failed: boolean; Events?: { Type: string; DisplayMessage?: string }[] | null }> | null;
}

/** An entry of `/v1/jobs`. */
export interface JobListStub {
  ID: string;
  Type: string;
  Status: string;
}

export interface JobSpecJson {
  ID: string;
  Type?: string;
  TaskGroups?: { Name: string; Count?: number }[];
}

/**
 * What keeps a service job from being healthy: per group, how many allocations still have to run
 * healthy, and the last event of any failed task. Empty when every group has its count.
 */
export function unhealthyGroups(job: JobSpecJson, allocations: readonly AllocationStub[]): string[] {
  return (job.TaskGroups ?? []).flatMap((group) => {
    const want = group.Count ?? 1;
    const live = allocations.filter((a) => a.TaskGroup === group.Name && a.DesiredStatus === 'run');
    const healthy = live.filter((a) => a.ClientStatus === 'running' && (job.Type === 'batch' || a.DeploymentStatus?.Healthy === true));
    if (healthy.length >= want) return [];
    const failed = live.flatMap((a) => Object.entries(a.TaskStates ?? {}).filter(([, s]) => s.Failed).map(([task, s]) => `${a.NodeName}/${task}: ${s.Events?.at(-1)?.DisplayMessage ?? 'failed'}`));
    return [`${job.ID}.${group.Name} ${healthy.length}/${want} healthy${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`];
  });
}
