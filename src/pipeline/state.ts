import pMap from 'p-map';
import type { Artifact } from '../artifacts/fetch.ts';
import type { Cluster } from '../config/load.ts';
import type { NodeSpec } from '../config/schema.ts';
import type { Provider } from '../providers/provider.ts';
import type { NodeEndpoint } from '../remote/endpoint.ts';
import type { Remote } from '../remote/remote.ts';
import type { LabSecurity } from '../state/security.ts';

/** Binaries written this run, per node: their services restart. */
export type ChangedBinaries = Map<string, Set<'consul' | 'nomad'>>;

export interface ImageTarball {
  /** On the host. */
  file: string;
  /** The tag it holds, when known (built images): a node that has it needs no load. */
  tag?: string;
  sha256: string;
  /** With a registry: the tags it holds and its config digest (`sha256:...`), from its manifest.json. */
  image?: { tags: string[]; config: string };
}

/** What the steps make for the steps after them; each is filled in by exactly one step. */
export interface Products {
  /** The node image's tag (docker backend). */
  nodeImage: string;
  /** Image tarballs every client loads into its Docker: built job images and the file's own tarballs. */
  tarballs: ImageTarball[];
  /** `podman`: the nomad-driver-podman plugin, when a client enables the podman driver. */
  artifacts: { consul: Artifact; nomad: Artifact; podman?: Artifact };
  endpoints: NodeEndpoint[];
  /** One SSH session per node, by node name. */
  remotes: Map<string, Remote>;
  gossipKey: string;
  /** The lab's ACL tokens and certificates, as `security` in the cluster file asks. */
  security: LabSecurity;
  binaries: ChangedBinaries;
}

/** What every step has from the start. */
export interface Base {
  cluster: Cluster;
  /** What boots the machines and says how to reach them: chosen by the caller (up.ts), not by a step. */
  provider: Provider;
  /** Nodes worked on at once within a step. */
  concurrency: number;
  /** What was changed this run, in order (descriptions and reasons; never file contents or secrets). */
  changes: RecordedChange[];
  /** The step running, named in each change it records. */
  step?: string;
}

/** One change made on a node, as `up --json` reports it and `plan --json` foretells it. */
export interface RecordedChange {
  step: string;
  node: string;
  description: string;
  reason?: string;
  /** Made while waiting, to mend a race `plan` cannot foresee; every other change, `plan` shows beforehand. */
  repair?: true;
}

/** The pipeline's state: the base, and what the steps so far made. */
export type UpState = Base & Partial<Products>;

export function newUpState(cluster: Cluster, options: { provider: Provider; concurrency?: number }): UpState {
  return { cluster, provider: options.provider, concurrency: options.concurrency ?? Infinity, changes: [] };
}

export function remoteOf(state: { remotes: Map<string, Remote> }, node: { name: string }): Remote {
  const remote = state.remotes.get(node.name);
  if (!remote) throw new Error(`no session to ${node.name}: the connect step did not reach it`);
  return remote;
}

export function recordChange(
  state: Pick<Base, 'changes' | 'step'>,
  node: string,
  change: { description: string; reason?: string | undefined; repair?: true | undefined },
): void {
  state.changes.push({
    step: state.step ?? '',
    node,
    description: change.description,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.repair ? { repair: true } : {}),
  });
}

/** Runs `work` on the nodes, `concurrency` at a time; every node finishes, and the failures are thrown together. */
export async function onEveryNode(
  state: Pick<Base, 'concurrency'>,
  nodes: readonly NodeSpec[],
  work: (node: NodeSpec) => Promise<void>,
): Promise<void> {
  try {
    await pMap(nodes, work, { concurrency: state.concurrency, stopOnError: false });
  } catch (error) {
    if (!(error instanceof AggregateError)) throw error;
    const failures = error.errors as Error[];
    if (failures.length === 1) throw failures[0]!;
    throw new AggregateError(failures, failures.map((f) => f.message).join('\n'));
  }
}
