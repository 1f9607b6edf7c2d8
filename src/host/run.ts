import { execa, type Options, type Result } from 'execa';
import { CommandError, tail } from '../errors.ts';

export interface RunOptions extends Pick<Options, 'cwd' | 'env' | 'input' | 'timeout'> {
  /** Said in the error when the command fails, e.g. how to fix it. */
  hint?: string;
}

/** Runs a command on the host; a failure throws CommandError with the command and its stderr tail. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const { hint, ...execaOptions } = options;
  const result = await execa(file, args, { ...execaOptions, reject: false, stripFinalNewline: true });
  if (result.failed) throw commandError(result, hint);
  return String(result.stdout);
}

/** Runs a read-only probe; never throws, and says whether it succeeded. */
export async function probe(
  file: string,
  args: readonly string[],
  options: Pick<Options, 'timeout' | 'env'> = {},
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const result = await execa(file, args, { ...options, reject: false, stripFinalNewline: true });
  return { ok: !result.failed, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function commandError(result: Result, hint?: string): CommandError {
  const output = String(result.stderr || result.stdout || result.shortMessage || '');
  return new CommandError('host', result.escapedCommand, result.exitCode, tail(output), {
    cause: result,
    ...(hint === undefined ? {} : { hint }),
  });
}
