import pMap from 'p-map';
import type { Artifact } from '../artifacts/fetch.ts';
import type { Cluster } from '../config/load.ts';
import type { JobImage } from '../images/job-images.ts';
import type { NodeSpec } from '../config/schema.ts';
import type { NodeEndpoint } from '../providers/provider.ts';
import type { Remote } from '../remote/remote.ts';

/** What the steps of `up` share: the cluster, a session per node, and what each node changed. */
export interface UpContext {
  cluster: Cluster;
  endpoints: NodeEndpoint[];
  remotes: Map<string, Remote>;
  artifacts: { consul: Artifact; nomad: Artifact };
  jobImages: JobImage[];
  gossipKey: string;
  /** Nodes worked on at once within a step. */
  concurrency: number;
  /** Per node, what was changed this run (descriptions; never file contents). */
  changes: Map<string, string[]>;
}

export function remoteOf(ctx: UpContext, node: NodeSpec): Remote {
  const remote = ctx.remotes.get(node.name);
  if (!remote) throw new Error(`no session to ${node.name}: the connect step did not run`);
  return remote;
}

export function recordChange(ctx: UpContext, node: string, description: string): void {
  const list = ctx.changes.get(node) ?? [];
  list.push(description);
  ctx.changes.set(node, list);
}

export function countChanges(ctx: UpContext): number {
  return [...ctx.changes.values()].reduce((sum, list) => sum + list.length, 0);
}

/** Runs `work` on the nodes, `ctx.concurrency` at a time; every node finishes, and the failures are thrown together. */
export async function onEveryNode(ctx: Pick<UpContext, 'concurrency'>, nodes: readonly NodeSpec[], work: (node: NodeSpec) => Promise<void>): Promise<void> {
  try {
    await pMap(nodes, work, { concurrency: ctx.concurrency, stopOnError: false });
  } catch (error) {
    if (!(error instanceof AggregateError)) throw error;
    const failures = error.errors as Error[];
    if (failures.length === 1) throw failures[0];
    throw new AggregateError(failures, failures.map((f) => f.message).join('\n'));
  }
}
