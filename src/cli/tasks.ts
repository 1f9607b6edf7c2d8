import { Listr, type ListrTask } from 'listr2';
import { runStep } from '../pipeline/runner.ts';
import { printable } from '../text.ts';
import { plainOutput } from './output.ts';
import type { UpState } from '../pipeline/state.ts';
import type { AnyStep } from '../pipeline/step.ts';

export { plainOutput } from './output.ts';

/** Runs listr2 tasks in order; the first failure stops the run and is thrown. */
export async function runTasks<Ctx extends object>(tasks: ListrTask<Ctx>[], ctx: Ctx, options: { concurrent?: boolean } = {}): Promise<Ctx> {
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

/** The pipeline's steps as listr2 tasks: progress as the task's output, the summary and time in its title, a step with nothing to do skipped. */
export function stepTasks(steps: readonly AnyStep[], state: UpState, onStart: (step: AnyStep) => void = () => {}): ListrTask<object>[] {
  return steps.map((step) => ({
    title: step.name,
    task: async (_, task) => {
      let seconds = 0;
      const outcome = await runStep(step, state, {
        onStart,
        onProgress: (_step, line) => (task.output = printable(line)),
        onEnd: (_step, _outcome, s) => (seconds = s),
      });
      if (outcome.skipped) task.skip(printable(`${step.name}: ${outcome.skipped}`));
      else task.title = printable(`${step.name}${outcome.summary ? `: ${outcome.summary}` : ''} (${seconds.toFixed(1)} s)`);
    },
  }));
}
