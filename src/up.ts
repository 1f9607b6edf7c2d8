import { join } from 'node:path';
import { ensureArtifact } from './artifacts/fetch.ts';
import type { Cluster } from './config/load.ts';
import { containerImage } from './config/machines.ts';
import { resolveFrom } from './config/paths.ts';
import { cacheDir, labStateDir } from './host/dirs.ts';
import { ensureJobImage, jobImageRecipes } from './images/job-images.ts';
import { ensureNodeImage } from './images/node-image.ts';
import { providerFor } from './providers/index.ts';
import { connect } from './remote/connect.ts';
import { forgetHostKeys } from './remote/known-hosts.ts';
import { ensureGossipKey } from './state/gossip-key.ts';
import { withLabLock } from './state/lab-lock.ts';
import { configureConsul, forwardConsulDns } from './steps/configure-consul.ts';
import { configureNomad } from './steps/configure-nomad.ts';
import { countChanges, type UpContext } from './steps/context.ts';
import { deployJobs, preloadImages } from './steps/deploy.ts';
import { installHashicorp, type ChangedBinaries } from './steps/install-hashicorp.ts';
import { installPackages } from './steps/install-packages.ts';

/** One named step of `up`; `say` reports progress, and the returned text, if any, is its summary. */
export interface UpStep {
  title: string;
  run(ctx: UpContext, say: (line: string) => void): Promise<string | void>;
}

export interface UpReport {
  changes: number;
  /** Per node, what changed (never file contents or secrets). */
  byNode: Map<string, string[]>;
}

/** An empty context: the steps fill it in, in order. */
export function newUpContext(cluster: Cluster, options: { concurrency?: number } = {}): UpContext {
  return { cluster, concurrency: options.concurrency ?? Infinity, endpoints: [], remotes: new Map(), artifacts: undefined as never, jobImages: [], gossipKey: '', changes: new Map() };
}

/** The steps of `up`, in order (kind's create pipeline: a plain list). */
export function upSteps(cluster: Cluster): UpStep[] {
  const { spec } = cluster;
  let binaries: ChangedBinaries = new Map();
  const steps: UpStep[] = [];
  const image = containerImage(spec);
  if (image !== undefined) {
    steps.push({
      title: 'node image',
      run: async (_, say) => {
        const result = await ensureNodeImage({ name: image, onProgress: say });
        return `${result.tag} ${result.built ? 'built' : 'up to date'}`;
      },
    });
  }
  const recipes = jobImageRecipes(spec);
  if (recipes.length > 0) {
    steps.push({
      title: 'job images',
      run: async (ctx, say) => {
        for (const recipe of recipes) ctx.jobImages.push(await ensureJobImage(recipe, cacheDir(), say));
        return ctx.jobImages.map((i) => i.tag).join(', ');
      },
    });
  }
  steps.push(
    {
      title: 'Consul and Nomad binaries',
      run: async (ctx, say) => {
        const fetch = (product: 'consul' | 'nomad') =>
          ensureArtifact({
            product,
            version: spec.versions[product],
            source: spec.artifacts.source,
            ...(spec.artifacts.directory ? { directory: resolveFrom(cluster.dir, spec.artifacts.directory) } : {}),
            cacheDir: cacheDir(),
            onProgress: say,
          });
        ctx.artifacts = { consul: await fetch('consul'), nomad: await fetch('nomad') };
        return `consul ${ctx.artifacts.consul.version} (${ctx.artifacts.consul.from}), nomad ${ctx.artifacts.nomad.version} (${ctx.artifacts.nomad.from})`;
      },
    },
    {
      title: 'boot machines',
      run: async (ctx, say) => {
        ctx.endpoints = await providerFor(cluster).up(cluster, { onProgress: say });
        return `${ctx.endpoints.length} machines up`;
      },
    },
    {
      title: 'connect',
      run: async (ctx, say) => {
        const knownHostsFile = join(labStateDir(cluster), 'known_hosts');
        ctx.gossipKey = await ensureGossipKey(labStateDir(cluster));
        const created = ctx.endpoints.filter((e) => e.created).map((e) => e.node);
        // nomad-lab booted these machines itself just now: their new host keys are expected, not a warning sign.
        if (created.length > 0 && (await forgetHostKeys(knownHostsFile, created)) > 0) say(`new machines, host keys pinned anew: ${created.join(', ')}`);
        const sessions = await Promise.all(
          ctx.endpoints.map(async (endpoint) => {
            const remote = await connect(endpoint, { knownHostsFile, onRetry: ({ attempt }) => say(`${endpoint.node}: not answering yet (try ${attempt})`) });
            return [endpoint.node, remote] as const;
          }),
        );
        ctx.remotes = new Map(sessions);
        return `${sessions.length} SSH sessions`;
      },
    },
    { title: 'install packages (docker, dnsmasq)', run: (ctx) => installPackages(ctx) },
    {
      title: 'install Consul and Nomad',
      run: async (ctx) => {
        binaries = await installHashicorp(ctx);
      },
    },
    { title: 'configure Consul', run: (ctx, say) => configureConsul(ctx, binaries, say) },
    { title: 'resolve .consul names on every node', run: (ctx) => forwardConsulDns(ctx) },
    { title: 'configure Nomad', run: (ctx, say) => configureNomad(ctx, binaries, say) },
  );
  if (spec.jobs.length > 0) {
    steps.push(
      { title: 'load job images on the clients', run: (ctx) => preloadImages(ctx) },
      { title: 'deploy jobs', run: (ctx, say) => deployJobs(ctx, say) },
    );
  }
  return steps;
}

/** Closes every session of a context; safe to call after a failure. */
export async function closeSessions(ctx: UpContext): Promise<void> {
  await Promise.allSettled([...ctx.remotes.values()].map((r) => r.close()));
}

export function upReport(ctx: UpContext): UpReport {
  return { changes: countChanges(ctx), byNode: ctx.changes };
}

/** `up` as a library call: every step in order, sessions closed at the end; throws on the first failure. */
export async function up(cluster: Cluster, options: { concurrency?: number; onProgress?: (step: string, line: string) => void } = {}): Promise<UpReport> {
  return withLabLock(cluster, 'up', async () => {
    const ctx = newUpContext(cluster, options);
    try {
      for (const step of upSteps(cluster)) await step.run(ctx, (line) => options.onProgress?.(step.title, line));
    } finally {
      await closeSessions(ctx);
    }
    return upReport(ctx);
  });
}
