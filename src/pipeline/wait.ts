import { setTimeout as sleep } from 'node:timers/promises';
import { NomadLabError } from '../errors.ts';

/** Thrown by a check when waiting longer cannot help, e.g. a service that keeps crashing. */
export class GaveUp extends NomadLabError {
  override name = 'GaveUp';
}

/**
 * Polls `check` (which returns what is still wrong, empty when done) until it is done or the
 * deadline passes; the error says what was still wrong.
 */
export async function waitFor(what: string, check: () => Promise<string[]>, options: { timeoutMs: number; intervalMs?: number; onWaiting?: (left: string[]) => void }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let left: string[] = [];
  for (;;) {
    try {
      left = await check();
    } catch (error) {
      if (error instanceof GaveUp) throw error;
      left = [(error as Error).message.split('\n', 1)[0]!];
    }
    if (left.length === 0) return;
    if (Date.now() >= deadline) break;
    options.onWaiting?.(left);
    await sleep(options.intervalMs ?? 1000);
  }
  throw new NomadLabError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}: ${left.join('; ')}`);
}
