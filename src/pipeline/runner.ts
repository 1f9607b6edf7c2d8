import { NomadLabError } from '../errors.ts';
import type { Base, Products, UpState } from './state.ts';
import type { AnyStep, StepOutcome } from './step.ts';

/** A step failed: which one, and why (the cause's message, which names node, command and stderr). */
export class StepError extends NomadLabError {
  override name = 'StepError';

  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface StepHooks {
  onProgress?(step: AnyStep, line: string): void;
  onStart?(step: AnyStep): void;
  onEnd?(step: AnyStep, outcome: StepOutcome, seconds: number): void;
  /** The step failed (a StepError), or the run was stopped while it ran. */
  onFail?(step: AnyStep, error: Error): void;
}

/** Runs one step on the state: checks what it needs is there, runs it, and adds what it made. */
export async function runStep(step: AnyStep, state: UpState, hooks: StepHooks = {}): Promise<StepOutcome> {
  const missing = step.needs.filter((n) => state[n] === undefined);
  if (missing.length > 0)
    throw new Error(`step "${step.name}" needs ${missing.join(', ')}, which no earlier step made`);
  hooks.onStart?.(step);
  state.step = step.name;
  const started = performance.now();
  let result: StepOutcome & Partial<Products>;
  try {
    result = await step.run(state as Base & Products, (line) => hooks.onProgress?.(step, line));
  } catch (error) {
    const failure = new StepError(step.name, error);
    hooks.onFail?.(step, failure);
    throw failure;
  }
  const { summary, skipped, ...made } = result;
  const unexpected = Object.keys(made).filter((k) => !step.makes.includes(k as keyof Products));
  const absent = step.makes.filter((k) => made[k] === undefined);
  if (unexpected.length > 0 || absent.length > 0)
    throw new Error(
      `step "${step.name}" made ${Object.keys(made).join(', ') || 'nothing'}, but says it ` +
        `makes ${step.makes.join(', ') || 'nothing'}`,
    );
  Object.assign(state, made);
  const outcome = { ...(summary === undefined ? {} : { summary }), ...(skipped === undefined ? {} : { skipped }) };
  hooks.onEnd?.(step, outcome, (performance.now() - started) / 1000);
  return outcome;
}

/**
 * Every step in order; the first failure stops the run as a StepError naming the step. An aborted `signal`
 * stops it before the next step (the step in flight runs on: its sessions closing is what stops it).
 */
export async function runPipeline(
  steps: readonly AnyStep[],
  state: UpState,
  hooks: StepHooks = {},
  signal?: AbortSignal,
): Promise<UpState> {
  for (const step of steps) {
    signal?.throwIfAborted();
    await runStep(step, state, hooks);
  }
  return state;
}
