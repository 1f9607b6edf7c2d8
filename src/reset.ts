import type { Cluster } from './config/load.ts';
import type { JobListStub } from './nomad/allocations.ts';
import { NomadApi } from './nomad/api.ts';
import { firstServer } from './config/topology.ts';
import { closeAll, openSessions } from './sessions.ts';
import { withLabLock } from './state/lab-lock.ts';
import { waitFor } from './pipeline/wait.ts';
import { readLabSecurity } from './state/security.ts';

/**
 * Between episodes: every job stopped and purged, garbage collected; machines and cluster kept. Returns the jobs
 * removed.
 */
export function resetLab(cluster: Cluster, say: (line: string) => void = () => {}): Promise<string[]> {
  return withLabLock(cluster, 'reset', () => purgeJobs(cluster, say));
}

/**
 * Every job stopped and purged through the first server's Nomad API, waiting until no allocation runs; the jobs' IDs.
 */
export async function purgeJobs(cluster: Cluster, say: (line: string) => void): Promise<string[]> {
  const server = firstServer(cluster.spec).name;
  const security = await readLabSecurity(cluster);
  const remotes = await openSessions(cluster, [server]);
  try {
    const api = new NomadApi(remotes.get(server)!, security);
    const jobs = await api.get<JobListStub[]>('/v1/jobs');
    for (const job of jobs) {
      say(`stopping and purging ${job.ID}`);
      await api.delete(`/v1/job/${encodeURIComponent(job.ID)}?purge=true`);
    }
    await waitFor(
      'every job and allocation to be gone',
      async () => {
        await api.put('/v1/system/gc');
        const left = await api.get<JobListStub[]>('/v1/jobs');
        const running = (await api.get<{ ClientStatus: string; JobID: string }[]>('/v1/allocations')).filter(
          (a) => a.ClientStatus === 'running' || a.ClientStatus === 'pending',
        );
        return [...left.map((j) => `job ${j.ID}`), ...running.map((a) => `an allocation of ${a.JobID}`)];
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    return jobs.map((j) => j.ID);
  } finally {
    await closeAll(remotes);
  }
}
