import pMap from 'p-map';
import { LIMITS } from '../config/limits.ts';
import { readBounded } from '../config/local-files.ts';
import { resolveFrom } from '../config/paths.ts';
import type { Cluster } from '../config/load.ts';
import { firstServer } from '../config/topology.ts';
import { NomadLabError } from '../errors.ts';
import { unhealthyGroups, type AllocationStub, type JobSpecJson } from '../nomad/allocations.ts';
import { NomadApi } from '../nomad/api.ts';
import type { Change, JobChange } from '../ops/change.ts';
import type { JobPlanResponse } from '../remote/agent-types.ts';
import { applyChanges } from '../pipeline/apply.ts';
import { remoteOf, type Base, type Products } from '../pipeline/state.ts';
import { defineStep } from '../pipeline/step.ts';
import { waitFor } from '../pipeline/wait.ts';

/** API calls to the server at once: each is a channel of its SSH session, and sshd allows 10 per connection. */
const AT_ONCE = 4;

/**
 * A job file as the loader checked it: a regular file within LIMITS.jobFileBytes, even if it was swapped for a FIFO
 * since.
 */
async function readJobFile(path: string): Promise<string> {
  const read = await readBounded(path, LIMITS.jobFileBytes);
  if ('kind' in read) throw new NomadLabError(`job file ${path} is ${read.kind} now: name a regular file`);
  if ('tooLarge' in read)
    throw new NomadLabError(`job file ${path} has grown past ${LIMITS.jobFileBytes / 1024} KiB: is it the right file?`);
  return read.text;
}

/**
 * Facts: each job file parsed by Nomad and planned against what it runs (both read-only).
 * Plan: register a job only when Nomad's plan shows a difference.
 */
async function planJobs(cluster: Cluster, api: NomadApi): Promise<{ jobs: JobSpecJson[]; changes: JobChange[] }> {
  // Jobs side by side: each is two round trips to the server, and none depends on another.
  const planned = await pMap(
    cluster.spec.jobs,
    async (job) => {
      const hcl = await readJobFile(resolveFrom(cluster.dir, job.file));
      const parsed = await api.post<JobSpecJson>('/v1/jobs/parse', { JobHCL: hcl, Canonicalize: true });
      if (parsed.ID !== job.name) {
        throw new NomadLabError(
          `${job.file} defines job "${parsed.ID}", but cluster.yaml calls it "${job.name}": make them the same`,
        );
      }
      const plan = await api.post<JobPlanResponse>(`/v1/job/${encodeURIComponent(parsed.ID)}/plan`, {
        Job: parsed,
        Diff: true,
      });
      const type = plan.Diff?.Type ?? 'Added';
      const change: JobChange | undefined =
        type === 'None'
          ? undefined
          : {
              kind: 'job',
              description: `${type === 'Added' ? 'registered' : 'updated'} job ${parsed.ID}`,
              reason: type === 'Added' ? 'Nomad does not run it' : "Nomad's plan shows a difference",
              job: parsed,
            };
      return { job: parsed, change };
    },
    { concurrency: AT_ONCE },
  );
  return { jobs: planned.map((p) => p.job), changes: planned.flatMap((p) => (p.change ? [p.change] : [])) };
}

const server = (state: Base & Pick<Products, 'remotes'>) => remoteOf(state, firstServer(state.cluster.spec));

/** Registers each job whose definition differs from what Nomad runs, then waits until every job is healthy. */
export const deployJobs = defineStep({
  name: 'deploy jobs',
  needs: ['remotes', 'security'],
  makes: [],
  async plan(state) {
    if (state.cluster.spec.jobs.length === 0) return [];
    const { changes } = await planJobs(state.cluster, new NomadApi(server(state), state.security));
    return [new Map<string, Change[]>([[server(state).node, changes]])];
  },
  async run(state, say) {
    if (state.cluster.spec.jobs.length === 0) return { skipped: 'no jobs in the cluster file' };
    const remote = server(state);
    const api = new NomadApi(remote, state.security);
    const { jobs, changes } = await planJobs(state.cluster, api);
    await applyChanges(state, remote, changes);
    await waitFor(
      'every job to be healthy',
      async () => {
        const waited = jobs.filter((job) => job.Type !== 'system' && job.Type !== 'sysbatch');
        const allocations = await pMap(
          waited,
          (job) => api.get<AllocationStub[]>(`/v1/job/${encodeURIComponent(job.ID)}/allocations`),
          { concurrency: AT_ONCE },
        );
        return waited.flatMap((job, i) => unhealthyGroups(job, allocations[i]!));
      },
      { timeoutMs: 300_000, intervalMs: 500, onWaiting: (left) => say(`waiting: ${left.join(', ')}`) },
    );
    return { summary: jobs.map((j) => j.ID).join(', ') };
  },
});
