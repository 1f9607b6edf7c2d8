import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { resolveFrom } from '../config/paths.ts';
import { NomadLabError } from '../errors.ts';
import { unhealthyGroups, type AllocationStub, type JobSpecJson } from '../nomad/allocations.ts';
import { NomadApi } from '../nomad/api.ts';
import { onEveryNode, recordChange, remoteOf, type UpContext } from './context.ts';
import { waitFor } from './wait.ts';

const IMAGE_DIR = '/var/lib/nomad-lab/images';

/** Job images loaded into every client's Docker from the host's tarballs (no registry needed). */
export async function preloadImages(ctx: UpContext): Promise<void> {
  const { spec } = ctx.cluster;
  const tarballs = [
    ...ctx.jobImages.map((i) => ({ file: i.tarball, tag: i.tag as string | undefined })),
    ...spec.jobs.flatMap((j) => j.images.flatMap((i) => (i.tarball ? [{ file: resolveFrom(ctx.cluster.dir, i.tarball), tag: undefined }] : []))),
  ];
  if (tarballs.length === 0) return;
  await onEveryNode(ctx, spec.nodes.filter((n) => n.role !== 'server'), async (node) => {
    const remote = remoteOf(ctx, node);
    await remote.run(['install', '-d', '-m', '700', IMAGE_DIR], { sudo: true });
    for (const { file, tag } of tarballs) {
      const target = `${IMAGE_DIR}/${basename(file)}`;
      const uploaded = await remote.upload({ localPath: file }, target, { mode: 0o600, owner: 'root', group: 'root' });
      const present = tag !== undefined && (await remote.exec(['docker', 'image', 'inspect', '--format', '{{.Id}}', tag], { sudo: true })).exitCode === 0;
      if (uploaded.changed || (tag !== undefined && !present)) {
        await remote.run(['docker', 'load', '-i', target], { sudo: true });
        recordChange(ctx, node.name, `loaded ${tag ?? basename(file)} into docker`);
      }
    }
  });
}

interface PlanResponse {
  Diff?: { Type: string };
}

/** Registers each job whose definition differs from what Nomad runs, then waits until every job is healthy. */
export async function deployJobs(ctx: UpContext, say: (line: string) => void = () => {}): Promise<string> {
  const { spec } = ctx.cluster;
  if (spec.jobs.length === 0) return 'no jobs';
  const server = remoteOf(ctx, spec.nodes.find((n) => n.role !== 'client')!);
  const api = new NomadApi(server);
  const jobs: JobSpecJson[] = [];
  for (const job of spec.jobs) {
    const hcl = await readFile(resolveFrom(ctx.cluster.dir, job.file), 'utf8');
    const parsed = await api.post<JobSpecJson>('/v1/jobs/parse', { JobHCL: hcl, Canonicalize: true });
    if (parsed.ID !== job.name) {
      throw new NomadLabError(`${job.file} defines job "${parsed.ID}", but cluster.yaml calls it "${job.name}": make them the same`);
    }
    const plan = await api.post<PlanResponse>(`/v1/job/${encodeURIComponent(parsed.ID)}/plan`, { Job: parsed, Diff: true });
    if (plan.Diff?.Type !== 'None') {
      await api.post('/v1/jobs', { Job: parsed });
      recordChange(ctx, server.node, `${plan.Diff?.Type === 'Added' ? 'registered' : 'updated'} job ${parsed.ID}`);
    }
    jobs.push(parsed);
  }
  await waitFor(
    'every job to be healthy',
    async () => {
      const left: string[] = [];
      for (const job of jobs) {
        if (job.Type === 'system' || job.Type === 'sysbatch') continue;
        const allocations = await api.get<AllocationStub[]>(`/v1/job/${encodeURIComponent(job.ID)}/allocations`);
        left.push(...unhealthyGroups(job, allocations));
      }
      return left;
    },
    { timeoutMs: 300_000, intervalMs: 2000, onWaiting: (left) => say(`waiting: ${left.join(', ')}`) },
  );
  return jobs.map((j) => j.ID).join(', ');
}
