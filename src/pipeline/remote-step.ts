import type { Change } from '../ops/change.ts';
import { applyChanges, converge } from './apply.ts';
import { remoteOf, type Base, type Products } from './state.ts';
import {
  defineStep,
  type AgentPlanner,
  type NodePlanner,
  type PlannedChanges,
  type Step,
  type StepOutcome,
  type WaitPhase,
} from './step.ts';

/** One phase of a remote step: facts -> plan -> apply on every node, or through an agent's API, or a wait. */
export type Phase<N extends keyof Products> = NodePlanner<N> | AgentPlanner<N> | WaitPhase<N>;

export interface RemoteStepSpec<N extends keyof Products, M extends keyof Products> {
  name: string;
  needs: readonly N[];
  makes: readonly M[];
  /**
   * One phase after the other (a later one reads facts the earlier one changed). `plan` runs every planner
   * without applying and skips the waits; `up` applies and waits.
   */
  planners: readonly Phase<N | 'remotes'>[];
  /** A plain function (copied onto the step, so it never needs `this`). */
  derive?: (planned: PlannedChanges) => Pick<Products, M>;
  /** After every phase: what to say of the step (a summary), reading only. */
  after?(state: Base & Pick<Products, N | 'remotes'>, planned: PlannedChanges): Promise<StepOutcome | void>;
}

const isWait = <N extends keyof Products>(phase: Phase<N>): phase is WaitPhase<N> => 'wait' in phase;
const isNodePlanner = <N extends keyof Products>(phase: Phase<N>): phase is NodePlanner<N> =>
  !isWait(phase) && !isAgent(phase);
const isAgent = <N extends keyof Products>(phase: Phase<N>): phase is AgentPlanner<N> => 'read' in phase;

/** An agent planner's changes, read and planned on its node, applied unless `apply` is false. */
async function convergeAgent<N extends keyof Products>(
  planner: AgentPlanner<N>,
  state: Base & Pick<Products, N> & Pick<Products, 'remotes'>,
  options: { apply?: boolean } = {},
): Promise<Map<string, Change[]>> {
  const remote = remoteOf(state, planner.node(state));
  const changes = planner.plan(await planner.read(remote, state), state);
  if (options.apply !== false) await applyChanges(state, remote, changes);
  return new Map([[remote.node, changes]]);
}

/** One planner's changes on every node it names, applied unless `apply` is false. */
function convergePhase<N extends keyof Products>(
  phase: NodePlanner<N> | AgentPlanner<N>,
  state: Base & Pick<Products, N> & Pick<Products, 'remotes'>,
  options: { apply?: boolean } = {},
): Promise<Map<string, Change[]>> {
  return isAgent(phase) ? convergeAgent(phase, state, options) : converge(phase, state, options);
}

/** A step that converges nodes: its phases in order (planners applied, waits waited), then `after`. */
export function remoteStep<N extends keyof Products, M extends keyof Products = never>(
  spec: RemoteStepSpec<N, M>,
): Step<N | 'remotes', M> {
  return defineStep<N | 'remotes', M>({
    name: spec.name,
    needs: [...new Set<N | 'remotes'>([...spec.needs, 'remotes'])],
    makes: spec.makes,
    planners: spec.planners.filter(isNodePlanner),
    async plan(state) {
      const planned: Map<string, Change[]>[] = [];
      for (const phase of spec.planners) {
        if (isWait(phase)) continue;
        planned.push(await convergePhase(phase, state, { apply: false }));
      }
      return planned;
    },
    ...(spec.derive ? { derive: spec.derive } : {}),
    async run(state, say) {
      const planned: Map<string, Change[]>[] = [];
      for (const phase of spec.planners) {
        if (isWait(phase)) await phase.wait(state, say);
        else planned.push(await convergePhase(phase, state));
      }
      const made = (spec.derive?.(planned) ?? {}) as Pick<Products, M>;
      const outcome = (await spec.after?.(state, planned)) ?? {};
      const count = planned.reduce((sum, map) => sum + [...map.values()].reduce((n, list) => n + list.length, 0), 0);
      return { ...made, ...(count === 0 && !outcome.summary ? { summary: 'nothing to change' } : {}), ...outcome };
    },
  });
}
