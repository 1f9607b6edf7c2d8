import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { NomadLabError } from '../errors.ts';

/** Runs a program on the terminal (stdio inherited) and gives its exit code; a signal becomes 128 + its number, as a shell does. */
export function runInherited(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    // The child gets the terminal's Ctrl-C itself; nomad-lab waits for it to end.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    const done = () => process.off('SIGINT', ignore);
    child.on('error', (error) => {
      done();
      reject(new NomadLabError(`cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
