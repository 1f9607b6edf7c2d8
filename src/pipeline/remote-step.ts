import type { Change } from '../ops/change.ts';
import { converge } from './apply.ts';
import type { Base, Products } from './state.ts';
import { defineStep, type NodePlanner, type PlannedChanges, type Step, type StepOutcome } from './step.ts';

export interface RemoteStepSpec<N extends keyof Products, M extends keyof Products> {
  name: string;
  needs: readonly N[];
  makes: readonly M[];
  /** Facts -> plan -> apply, one planner after the other (a later one reads facts the earlier one changed). */
  planners: readonly NodePlanner<N | 'remotes'>[];
  /** A plain function (copied onto the step, so it never needs `this`). */
  derive?: (planned: PlannedChanges) => Pick<Products, M>;
  /** After the changes: wait for what they should bring about (members alive, a leader, jobs healthy). */
  after?(
    state: Base & Pick<Products, N | 'remotes'>,
    planned: PlannedChanges,
    say: (line: string) => void,
  ): Promise<StepOutcome | void>;
}

/** A step that converges nodes: each planner's facts, plan and apply on every node, then `after`. */
export function remoteStep<N extends keyof Products, M extends keyof Products = never>(
  spec: RemoteStepSpec<N, M>,
): Step<N | 'remotes', M> {
  return defineStep<N | 'remotes', M>({
    name: spec.name,
    needs: [...new Set<N | 'remotes'>([...spec.needs, 'remotes'])],
    makes: spec.makes,
    planners: spec.planners,
    async plan(state) {
      const planned: Map<string, Change[]>[] = [];
      for (const planner of spec.planners) planned.push(await converge(planner, state, { apply: false }));
      return planned;
    },
    ...(spec.derive ? { derive: spec.derive } : {}),
    async run(state, say) {
      const planned: Map<string, Change[]>[] = [];
      for (const planner of spec.planners) planned.push(await converge(planner, state));
      const made = (spec.derive?.(planned) ?? {}) as Pick<Products, M>;
      const outcome = (await spec.after?.(state, planned, say)) ?? {};
      const count = planned.reduce((sum, map) => sum + [...map.values()].reduce((n, list) => n + list.length, 0), 0);
      return { ...made, ...(count === 0 && !outcome.summary ? { summary: 'nothing to change' } : {}), ...outcome };
    },
  });
}
