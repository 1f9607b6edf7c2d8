import type { Cluster } from './config/load.ts';
import { NomadLabError } from './errors.ts';
import { runPipeline, type StepHooks } from './pipeline/runner.ts';
import { newUpState, type RecordedChange, type UpState } from './pipeline/state.ts';
import type { AnyStep } from './pipeline/step.ts';
import { providerFor, type Provider } from './providers/index.ts';
import { withLabLock } from './state/lab-lock.ts';
import { bootMachines } from './steps/boot-machines.ts';
import { configureConsul } from './steps/configure-consul.ts';
import { configureNomad } from './steps/configure-nomad.ts';
import { adoptAgents } from './steps/adopt-agents.ts';
import { checkPorts } from './steps/check-ports.ts';
import { connect } from './steps/connect.ts';
import { deployJobs } from './steps/deploy-jobs.ts';
import { fetchBinaries } from './steps/fetch-binaries.ts';
import { installHashicorp } from './steps/install-hashicorp.ts';
import { installPackages } from './steps/install-packages.ts';
import { jobImages } from './steps/job-images.ts';
import { labSecurity } from './steps/lab-security.ts';
import { loadJobImages } from './steps/load-job-images.ts';
import { nodeImage } from './steps/node-image.ts';
import { labRegistry } from './steps/registry.ts';
import { resolveConsulDns } from './steps/resolve-consul-dns.ts';
import { verifyLab } from './steps/verify-lab.ts';

/**
 * What `up` does, in order (kind's create pipeline: a plain list). Each step is one file in `src/steps/`:
 * host-side steps make images and binaries; remote steps read facts on every node, plan the changes with a
 * pure function, and apply only those (`src/pipeline/`). A step that makes nothing new says so.
 */
export const UP_STEPS: readonly AnyStep[] = [
  nodeImage, //          host: the node image for the docker backend (built once per recipe)
  jobImages, //          host: job image tarballs (built offline) and the file's own tarballs
  fetchBinaries, //      host: Consul and Nomad at the pinned versions, into the cache
  labSecurity, //        host: ACL tokens, the lab CA and certificates (when `security` asks for them)
  bootMachines, //       provider: machines up, endpoints known
  connect, //            one SSH session per node, host keys pinned, sudo without a password; the gossip key
  checkPorts, //         existing hosts: the agents' ports open between every two nodes, before any change
  adoptAgents, //        existing hosts: a Consul or Nomad of their own taken over (configs set aside), or refused
  installPackages, //    nodes: dnsmasq, Docker on clients
  installHashicorp, //   nodes: consul and nomad binaries, their user and folders
  configureConsul, //    nodes: consul.hcl and unit; every member alive
  resolveConsulDns, //   nodes: dnsmasq forwards .consul; names resolve everywhere
  configureNomad, //     nodes: server.hcl / client.hcl and unit; a leader, clients ready
  labRegistry, //        registry node: the lab registry, the job images pushed; clients: its CA and credentials
  loadJobImages, //      clients: job images in Docker, without a registry
  deployJobs, //         server: jobs registered where Nomad's plan differs; all healthy
  verifyLab, //          verify's own checks until they pass: up ends when `nomad-lab verify` would pass
];

export interface UpReport {
  /** What changed, in the order it was done, each with its step, node and reason (never file contents or secrets). */
  changes: RecordedChange[];
}

export function upReport(state: UpState): UpReport {
  return { changes: state.changes };
}

/** Closes every session of a run; safe after a failure. */
export async function closeSessions(state: UpState): Promise<void> {
  await Promise.allSettled([...(state.remotes?.values() ?? [])].map((r) => r.close()));
}

export interface UpOptions {
  /** Nodes worked on at once within a step. */
  concurrency?: number;
  /** What boots the machines; by default the provider cluster.yaml names (`providerFor`). */
  provider?: Provider;
  /** Told of each step as it runs: its start, progress lines, end (summary, seconds) or failure. */
  reporter?: StepHooks;
  /** Stops the run: sessions closed and the lock released at once, then an UpInterruptedError naming the step. */
  signal?: AbortSignal;
}

/** `up` was stopped by its AbortSignal (Ctrl-C in the CLI); `step` is the one it was running, if any. */
export class UpInterruptedError extends NomadLabError {
  override name = 'UpInterruptedError';

  constructor(
    readonly step: string | undefined,
    cause: unknown,
  ) {
    super(step === undefined ? 'up interrupted before its first step' : `up interrupted at step "${step}"`, { cause });
  }
}

/**
 * `up` as a library call, the one the CLI and the benchmarks make: the lab's lock, every step of UP_STEPS in
 * order, sessions closed and the lock released at the end, after a failure (a StepError) or an abort.
 */
export async function up(cluster: Cluster, options: UpOptions = {}): Promise<UpReport> {
  return runUp(UP_STEPS, cluster, options);
}

/** What `up` does, with the steps given: UP_STEPS, or a test's fakes. */
export async function runUp(steps: readonly AnyStep[], cluster: Cluster, options: UpOptions = {}): Promise<UpReport> {
  const { reporter = {}, signal } = options;
  if (signal?.aborted) throw new UpInterruptedError(undefined, signal.reason);
  return withLabLock(cluster, 'up', async () => {
    const state = newUpState(cluster, { ...options, provider: options.provider ?? providerFor(cluster) });
    const at: StepAt = { done: false };
    const run = runPipeline(steps, state, quietAfterAbort(reporter, signal, at), signal);
    try {
      await untilAborted(run, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      const interrupted = new UpInterruptedError(at.step?.name, signal.reason);
      if (at.step && !at.done) reporter.onFail?.(at.step, interrupted);
      // The step in flight is not awaited; sessions it opens before it stops are closed when it does.
      const close = () => closeSessions(state);
      void run.then(close, close);
      throw interrupted;
    } finally {
      await closeSessions(state);
    }
    return upReport(state);
  });
}

/** The step last started, and whether it has ended. */
interface StepAt {
  step?: AnyStep;
  done: boolean;
}

/** The reporter, told nothing more of the step in flight once the run is aborted; `at` kept up to date. */
function quietAfterAbort(reporter: StepHooks, signal: AbortSignal | undefined, at: StepAt): StepHooks {
  const live = () => !signal?.aborted;
  return {
    onStart: (step) => {
      Object.assign(at, { step, done: false });
      reporter.onStart?.(step);
    },
    onProgress: (step, line) => {
      if (live()) reporter.onProgress?.(step, line);
    },
    onEnd: (step, outcome, seconds) => {
      at.done = true;
      if (live()) reporter.onEnd?.(step, outcome, seconds);
    },
    onFail: (step, error) => {
      at.done = true;
      if (live()) reporter.onFail?.(step, error);
    },
  };
}

/** `work`'s result, or the signal's reason (an Error) as soon as it aborts (work is left to finish on its own). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const reason: unknown = signal.reason;
      reject(reason instanceof Error ? reason : new Error('aborted', { cause: reason }));
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
