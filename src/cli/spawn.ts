import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { NomadLabError } from '../errors.ts';
import { forwardSignals } from './interrupt.ts';

/**
 * Runs a program on the terminal (stdio inherited) and gives its exit code. Ended by a signal, or
 * after one was passed on (ssh exits 255 on Ctrl-C), it is 128 + the signal's number, as a shell says.
 */
export function runInherited(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    // Ctrl-C is the program's to handle (a terminal sends it to both; a `kill` to nomad-lab is passed on).
    let received: NodeJS.Signals | undefined;
    forwardSignals((signal) => {
      received = signal;
      child.kill(signal);
    });
    child.on('error', (error) => {
      forwardSignals(undefined);
      reject(new NomadLabError(`cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      forwardSignals(undefined);
      const ending = signal ?? received;
      resolve(ending === undefined ? (code ?? 1) : 128 + constants.signals[ending]);
    });
  });
}
