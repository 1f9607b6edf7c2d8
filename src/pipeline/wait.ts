import { setTimeout as sleep } from 'node:timers/promises';
import { NomadLabError } from '../errors.ts';

/** Thrown by a check when waiting longer cannot help, e.g. a service that keeps crashing. */
export class GaveUp extends NomadLabError {
  override name = 'GaveUp';
}

/**
 * Polls `check` (which returns what is still wrong, empty when done) until it is done or the
 * deadline passes; the error says what was still wrong. `onWaiting` hears of what is left only when it
 * changes, so a plain log gets one line per state rather than one per poll.
 */
export async function waitFor(
  what: string,
  check: () => Promise<string[]>,
  options: { timeoutMs: number; intervalMs?: number; onWaiting?: (left: string[]) => void },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let left: string[] = [];
  let reported = '';
  for (;;) {
    try {
      left = await check();
    } catch (error) {
      if (error instanceof GaveUp) throw error;
      left = [(error as Error).message.split('\n', 1)[0]!];
    }
    if (left.length === 0) return;
    if (Date.now() >= deadline) break;
    if (left.join('\n') !== reported) {
      reported = left.join('\n');
      options.onWaiting?.(left);
    }
    await sleep(options.intervalMs ?? 1000);
  }
  throw new NomadLabError(
    `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}: ${left.join('; ')}`,
  );
}
