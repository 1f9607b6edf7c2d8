import { Listr, type ListrTask } from 'listr2';
import type { StepHooks } from '../pipeline/runner.ts';
import type { AnyStep, StepOutcome } from '../pipeline/step.ts';
import { printable } from '../text.ts';
import { plainOutput } from './output.ts';

export { plainOutput } from './output.ts';

/** Runs listr2 tasks in order; the first failure stops the run and is thrown. */
export async function runTasks<Ctx extends object>(
  tasks: ListrTask<Ctx>[],
  ctx: Ctx,
  options: { concurrent?: boolean } = {},
): Promise<Ctx> {
  const list = new Listr<Ctx, 'default', 'simple'>(tasks, {
    ctx,
    concurrent: options.concurrent ?? false,
    exitOnError: true,
    // Interrupts are the CLI's (cli/interrupt.ts): sessions closed and the lock released before exit 130.
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: plainOutput(),
    rendererOptions: { collapseSubtasks: false },
    fallbackRendererOptions: { timestamp: undefined },
  });
  return list.run();
}

/** A reporter for `up` that draws its steps as listr2 tasks; `finished` waits for the last of the drawing. */
export interface ListrReporter extends Required<StepHooks> {
  /** Resolves once the renderer is done; a step still drawn as running fails with `error`. */
  finished(error?: unknown): Promise<void>;
}

interface StepEnd {
  outcome: StepOutcome;
  seconds: number;
}

interface StepRun {
  done: Promise<StepEnd>;
  settle(result: StepEnd | { error: Error }): void;
  task?: { output: string };
  /** The last progress line, for a task that listr2 starts after the step did. */
  line?: string;
}

/**
 * `up`'s steps as listr2 tasks: progress as the task's output, the summary and time in its title, a step with
 * nothing to do skipped. The pipeline runs the steps; each task waits for its step's end, told by the hooks.
 * listr2 starts with the first step, so nothing is drawn when `up` fails before it (a busy lab).
 */
export function listrReporter(steps: readonly AnyStep[]): ListrReporter {
  const runs = new Map(steps.map((step) => [step, stepRun()]));
  let drawing: Promise<void> | undefined;
  const tasks = steps.map((step): ListrTask<object> => ({
    title: step.name,
    task: async (_, task) => {
      const run = runs.get(step)!;
      run.task = task;
      if (run.line !== undefined) task.output = printable(run.line);
      const { outcome, seconds } = await run.done;
      const title = `${step.name}${outcome.summary ? `: ${outcome.summary}` : ''} (${seconds.toFixed(1)} s)`;
      if (outcome.skipped) task.skip(printable(`${step.name}: ${outcome.skipped}`));
      else task.title = printable(title);
    },
  }));
  return {
    onStart: () => {
      // A failed step is thrown by up; listr2 only draws it.
      drawing ??= runTasks(tasks, {}).then(
        () => {},
        () => {},
      );
    },
    onProgress: (step, line) => {
      const run = runs.get(step);
      if (!run) return;
      run.line = line;
      if (run.task) run.task.output = printable(line);
    },
    onEnd: (step, outcome, seconds) => runs.get(step)?.settle({ outcome, seconds }),
    onFail: (step, error) => runs.get(step)?.settle({ error }),
    finished: async (error: unknown = new Error('up stopped')) => {
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const run of runs.values()) run.settle({ error: reason });
      await drawing;
    },
  };
}

function stepRun(): StepRun {
  let settle: StepRun['settle'] = () => {};
  const done = new Promise<StepEnd>((resolve, reject) => {
    settle = (result) => ('error' in result ? reject(result.error) : resolve(result));
  });
  // A step that never runs is settled too, with nobody waiting for it.
  done.catch(() => {});
  return { done, settle };
}

/**
 * A reporter for `up --json`: each step's start, progress and end as a plain line for `write` (stderr), so stdout
 * holds only the JSON.
 */
export function lineReporter(write: (line: string) => void): ListrReporter {
  return {
    onStart: (step) => write(`${step.name} ...`),
    onProgress: (step, line) => write(`${step.name}: ${line}`),
    onEnd: (step, outcome, seconds) => {
      const said = outcome.skipped ? `skipped, ${outcome.skipped}` : (outcome.summary ?? 'done');
      write(`${step.name}: ${said} (${seconds.toFixed(1)} s)`);
    },
    onFail: (step, error) => write(`${step.name}: failed: ${error.message.split('\n', 1)[0]}`),
    finished: () => Promise.resolve(),
  };
}
