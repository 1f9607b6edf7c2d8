import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import type { FactSet } from '../facts/batch.ts';
import type { Change } from '../ops/change.ts';
import type { Remote } from '../remote/remote.ts';
import type { Base, Products } from './state.ts';

/** How a step ended: a summary for its title, or why it had nothing to do. */
export interface StepOutcome {
  summary?: string;
  /** Set when the step had nothing to do; the CLI shows the step as skipped with this reason. */
  skipped?: string;
}

/**
 * One named step of `up`: it reads what `needs` names (made by earlier steps) and returns what `makes`
 * names for the steps after it. The runner checks both, so the order of the list is checked too.
 */
export interface Step<N extends keyof Products = never, M extends keyof Products = never> {
  readonly name: string;
  readonly needs: readonly N[];
  readonly makes: readonly M[];
  run(state: Base & Pick<Products, N>, say: (line: string) => void): Promise<StepOutcome & Pick<Products, M>>;
  /** A step that changes nodes says what it would change, reading only (`nomad-lab plan`). */
  plan?(state: Base & Pick<Products, N>): Promise<PlannedChanges>;
  /** What the step makes from its planned changes alone (so `plan` can go on to the steps after it). */
  derive?(planned: PlannedChanges): Pick<Products, M>;
  /**
   * A host-side step says what it would make and do, reading only (`nomad-lab plan`): no build, download, tag or
   * write. What it could not read (a binary not yet in the cache) has an empty sha256, so the nodes' planners see
   * it as different from what they hold.
   */
  preview?(state: Base & Pick<Products, N>): Promise<Pick<Products, M> & { host: string[] }>;
  /** The node planners the step runs, in order: what reads their declarations (`down`'s paths) finds them here. */
  readonly planners?: readonly NodePlanner<N>[];
}

/** Per phase of a step (a planner), per node, the changes planned. */
export type PlannedChanges = readonly Map<string, Change[]>[];

/** Any step, as the runner and the CLI hold them. */
export interface AnyStep {
  readonly name: string;
  readonly needs: readonly (keyof Products)[];
  readonly makes: readonly (keyof Products)[];
  run(state: Base & Products, say: (line: string) => void): Promise<StepOutcome & Partial<Products>>;
  plan?(state: Base & Products): Promise<PlannedChanges>;
  derive?(planned: PlannedChanges): Partial<Products>;
  preview?(state: Base & Products): Promise<Partial<Products> & { host: string[] }>;
  readonly planners?: readonly NodePlanner<keyof Products>[];
}

/**
 * The facts -> plan part of a remote step: which nodes, the facts it reads (one round trip per node), and a
 * pure function from those facts to the changes. Applying them is the runner's (pipeline/apply.ts).
 */
export interface NodePlanner<N extends keyof Products, F = unknown> {
  nodes(state: Base & Pick<Products, N>): readonly NodeSpec[];
  facts(node: NodeSpec, state: Base & Pick<Products, N>): FactSet<F>;
  plan(node: NodeSpec, facts: F, state: Base & Pick<Products, N>): Change[];
  /**
   * The paths on a node that the planner writes, folders whole (a file in a folder listed needs no entry of its
   * own): `down` on existing hosts removes exactly what the planners of `up` list (clean-hosts.ts). Host volume
   * folders are never listed: their data is the user's.
   */
  readonly owns?: readonly string[];
  /** Owned paths that depend on the lab (a folder named after the registry's address), as `owns` says of them. */
  readonly ownsIn?: (spec: ClusterSpec) => readonly string[];
}

/**
 * The facts -> plan part of a change made through an agent's API (ACL tokens, the Nomad ACL bootstrap): what the
 * agent on one node says, read through its API, and a pure function from that to the changes (kind `api`).
 */
export interface AgentPlanner<N extends keyof Products, F = unknown> {
  /** The node whose agent is asked and told (the first server). */
  node(state: Base & Pick<Products, N>): NodeSpec;
  read(remote: Remote, state: Base & Pick<Products, N>): Promise<F>;
  plan(facts: F, state: Base & Pick<Products, N>): Change[];
}

/** Waiting for what the changes before it bring about (members alive, a leader): `up` waits, `plan` goes on. */
export interface WaitPhase<N extends keyof Products> {
  wait(state: Base & Pick<Products, N>, say: (line: string) => void): Promise<void>;
}

/** Types a step's needs and makes from its literal lists. */
export function defineStep<N extends keyof Products = never, M extends keyof Products = never>(
  step: Step<N, M>,
): Step<N, M> {
  return step;
}

export function defineAgentPlanner<N extends keyof Products, F>(planner: AgentPlanner<N, F>): AgentPlanner<N, F> {
  return planner;
}

/** Types a planner's facts from its fact set. */
export function definePlanner<N extends keyof Products, F>(planner: NodePlanner<N, F>): NodePlanner<N, F> {
  return planner;
}
