// Ctrl-C (SIGINT) and SIGTERM: run what the current command registered (close sessions, release the lab's
// lock), then exit 130. Files on the nodes are replaced whole (written beside, then renamed), so a stop at
// any point leaves the old file or the new one.

const cleanups = new Set<() => Promise<void>>();
let context = '';
let stopping = false;

/** Registers work to do before exiting on an interrupt; returns its removal. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** What was going on, for the message: e.g. `up, at step "configure Consul"`. */
export function interruptContext(text: string): void {
  context = text;
}

const GRACE_MS = 10_000;

let forward: ((signal: NodeJS.Signals) => void) | undefined;

/**
 * While a program owns the terminal (ssh, nomad, consul), signals are passed to it, not acted on here; undefined ends
 * that.
 */
export function forwardSignals(to: ((signal: NodeJS.Signals) => void) | undefined): void {
  forward = to;
}

export function installInterruptHandlers(): void {
  // A reader that went away (`| head`, a killed parent) must not crash the run before its cleanup.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const handler = (signal: NodeJS.Signals) => {
    if (forward) return forward(signal);
    if (stopping) process.exit(130);
    stopping = true;
    const why = signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`;
    const during = context ? ` during ${context}` : '';
    process.stderr.write(`\nnomad-lab: ${why}${during}; closing sessions (Ctrl-C again to quit at once)\n`);
    const timer = setTimeout(() => process.exit(130), GRACE_MS);
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => {
      clearTimeout(timer);
      process.stderr.write('nomad-lab: stopped; every file on the nodes is whole. Run the command again to finish.\n');
      process.exit(130);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
