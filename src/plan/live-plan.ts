import { createTwoFilesPatch } from 'diff';
import type { Cluster } from '../config/load.ts';
import { ProviderError } from '../errors.ts';
import { knownHostsFile, labStateDir } from '../host/dirs.ts';
import type { Change } from '../ops/change.ts';
import { newUpState, type Base, type Products } from '../pipeline/state.ts';
import { providerFor } from '../providers/index.ts';
import { closeAll, openAll } from '../sessions.ts';
import { UP_STEPS } from '../up.ts';
import { readLabSecurity } from '../state/security.ts';
import { readLabSecret } from '../state/private-file.ts';
import { GOSSIP_KEY } from '../state/gossip-key.ts';

/** Where `plan` puts what `up` would do on this host (build an image, fetch a binary) beside the nodes' changes. */
export const THIS_HOST = 'this host';

/** One change `up` would make on a node (or on this host), and why. */
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
 * (like `terraform plan`), and no image built, binary fetched, tag moved or file written on this host: the host-side
 * steps only look into the cache. A lab whose machines are not all running gets `live: false` and the reason.
 */
export async function planLab(cluster: Cluster): Promise<LabPlan> {
  const provider = providerFor(cluster);
  let endpoints: Products['endpoints'];
  try {
    endpoints = await provider.endpoints(cluster);
  } catch (error) {
    if (error instanceof ProviderError) return { live: false, why: error.message };
    throw error;
  }
  // The key as `up` reads it (a private file, checked); a lab without one yet gets a stand-in that differs from any.
  const gossipKey = (await readLabSecret(labStateDir(cluster), GOSSIP_KEY)) ?? '';
  const state: Base & Partial<Products> = {
    ...newUpState(cluster, { provider }),
    endpoints,
    gossipKey: gossipKey || MASK,
    security: await readLabSecurity(cluster),
  };
  const changes: PlannedChange[] = [];
  // The host-side steps that make the nodes' inputs, looking only.
  for (const step of UP_STEPS) {
    if (!step.preview) continue;
    const { host, ...made } = await step.preview(state as Base & Products);
    Object.assign(state, made);
    changes.push(...host.map((description) => ({ step: step.name, node: THIS_HOST, description })));
  }
  state.remotes = await openAll(endpoints, () => ({ knownHostsFile: knownHostsFile(cluster), deadlineMs: 30_000 }));
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
