import type { Cluster } from './config/load.ts';
import { runPipeline, type StepHooks } from './pipeline/runner.ts';
import { countChanges, newUpState, type UpState } from './pipeline/state.ts';
import type { AnyStep } from './pipeline/step.ts';
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
  loadJobImages, //      clients: job images in Docker, no registry
  deployJobs, //         server: jobs registered where Nomad's plan differs; all healthy
  verifyLab, //          verify's own checks until they pass: up ends when `nomad-lab verify` would pass
];

export interface UpReport {
  changes: number;
  /** Per node, what changed (never file contents or secrets). */
  byNode: Map<string, string[]>;
}

export function upReport(state: UpState): UpReport {
  return { changes: countChanges(state), byNode: state.changes };
}

/** Closes every session of a run; safe after a failure. */
export async function closeSessions(state: UpState): Promise<void> {
  await Promise.allSettled([...(state.remotes?.values() ?? [])].map((r) => r.close()));
}

/** `up` as a library call: the lab's lock, every step in order, sessions closed at the end; throws a StepError on the first failure. */
export async function up(cluster: Cluster, options: { concurrency?: number; hooks?: StepHooks } = {}): Promise<UpReport> {
  return withLabLock(cluster, 'up', async () => {
    const state = newUpState(cluster, options);
    try {
      await runPipeline(UP_STEPS, state, options.hooks);
    } finally {
      await closeSessions(state);
    }
    return upReport(state);
  });
}
