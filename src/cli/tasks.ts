import { Listr, type ListrTask } from 'listr2';

/** Plain lines when output is not a terminal or under CI; the live renderer otherwise. */
export function plainOutput(): boolean {
  return !process.stdout.isTTY || Boolean(process.env['CI']);
}

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
