import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Cluster } from '../config/load.ts';
import { ProviderError } from '../errors.ts';
import { knownHostsFile, labStateDir } from '../host/dirs.ts';
import type { Change } from '../ops/change.ts';
import { runStep } from '../pipeline/runner.ts';
import { newUpState, type Base, type Products } from '../pipeline/state.ts';
import { providerFor } from '../providers/index.ts';
import { closeAll, openAll } from '../sessions.ts';
import { fetchBinaries } from '../steps/fetch-binaries.ts';
import { jobImages } from '../steps/job-images.ts';
import { UP_STEPS } from '../up.ts';
import { readLabSecurity } from '../state/security.ts';

/** One change `up` would make on a node, and why. */
export interface PlannedChange {
  step: string;
  node: string;
  description: string;
  reason?: string;
  /** For a file: a unified diff of the text, secrets masked. */
  diff?: string;
}

export type LabPlan = { live: true; changes: PlannedChange[] } | { live: false; why: string };

const MASK = '<gossip key, not shown>';

/**
 * What `up` would change on a running lab, reading only: the same facts and planners as `up`, nothing applied
 * (like `terraform plan`). A lab whose machines are not all running gets `live: false` and the reason.
 */
export async function planLab(cluster: Cluster): Promise<LabPlan> {
  let endpoints: Products['endpoints'];
  try {
    endpoints = await providerFor(cluster).endpoints(cluster);
  } catch (error) {
    if (error instanceof ProviderError) return { live: false, why: error.message };
    throw error;
  }
  const stateDir = labStateDir(cluster);
  const gossipKey = (await readFile(join(stateDir, 'gossip.key'), 'utf8').catch(() => '')).trim();
  const state: Base & Partial<Products> = {
    ...newUpState(cluster),
    endpoints,
    gossipKey: gossipKey || MASK,
    security: await readLabSecurity(cluster),
  };
  // Host-side inputs: cached after the first `up`, so these only read.
  await runStep(jobImages, state);
  await runStep(fetchBinaries, state);
  state.remotes = await openAll(endpoints, () => ({ knownHostsFile: knownHostsFile(cluster), deadlineMs: 30_000 }));
  const changes: PlannedChange[] = [];
  try {
    for (const step of UP_STEPS) {
      if (!step.plan) continue;
      const planned = await step.plan(state as Base & Products);
      Object.assign(state, step.derive?.(planned) ?? {});
      for (const phase of planned) {
        for (const [node, list] of phase)
          changes.push(...list.map((change) => describe(step.name, node, change, gossipKey)));
      }
    }
  } finally {
    await closeAll(state.remotes);
  }
  return { live: true, changes };
}

function describe(step: string, node: string, change: Change, secret: string): PlannedChange {
  const planned: PlannedChange = {
    step,
    node,
    description: change.description,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  };
  if (change.kind === 'put' && change.diff) {
    const mask = (text: string) => (secret ? text.replaceAll(secret, MASK) : text);
    planned.diff = createTwoFilesPatch(
      change.path,
      change.path,
      mask(change.diff.before ?? ''),
      mask(change.diff.after),
      change.diff.before === undefined ? '(none)' : 'on the node',
      'as up would write it',
    );
  }
  return planned;
}
