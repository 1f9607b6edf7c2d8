import { execa, type Result } from 'execa';
import { CommandError, ProviderError } from '../../errors.ts';
import { commandError } from '../../host/run.ts';
import type { VagrantBackend } from '../../render/vagrantfile.ts';

export interface VagrantCommandOptions {
  /** The folder that holds the Vagrantfile. */
  cwd: string;
  backend: VagrantBackend;
  /** Each output line as it comes. */
  onLine?: (line: string) => void;
}

/** The environment every vagrant run gets: no phone-home, and the backend never left to plugin discovery. */
export function vagrantEnv(backend: VagrantBackend): Record<string, string> {
  return { VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_DEFAULT_PROVIDER: backend, VAGRANT_NO_COLOR: '1' };
}

/** Runs `vagrant <args>`; returns stdout, or throws CommandError with the stderr tail. */
export async function vagrant(args: readonly string[], options: VagrantCommandOptions): Promise<string> {
  const subprocess = execa('vagrant', args, {
    cwd: options.cwd,
    env: vagrantEnv(options.backend),
    reject: false,
    all: true,
    stripFinalNewline: true,
  });
  if (options.onLine) {
    for await (const line of subprocess.iterable({ from: 'all' })) {
      if (line.trim() !== '') options.onLine(line);
    }
  }
  const result = await subprocess;
  if (result.failed) throw vagrantError(result);
  return String(result.stdout);
}

function vagrantError(result: Result): CommandError {
  if ((result as { code?: string }).code === 'ENOENT') {
    return commandError(result, 'vagrant is not installed: run `nomad-lab host prepare` (or apt-get install vagrant)');
  }
  return commandError(result);
}

/** The machine a failed vagrant run was working on: the last `==> name:` or `    name:` line naming a node. */
export function machineInOutput(output: string, nodes: readonly string[]): string | undefined {
  const names = new Set(nodes);
  for (const line of output.split('\n').reverse()) {
    const match = /^(?:==> |\s+)([a-z0-9-]+): /.exec(line);
    if (match && names.has(match[1]!)) return match[1];
  }
  return undefined;
}

/** A ProviderError for a failed vagrant run, naming the machines it concerns and carrying the command's stderr tail. */
export function vagrantFailure(action: string, machines: readonly string[], cause: unknown): ProviderError {
  const who = machines.length > 0 ? machines.join(', ') : 'the lab';
  const detail =
    cause instanceof CommandError ? `\n${cause.message}` : cause instanceof Error ? `: ${cause.message}` : '';
  return new ProviderError(`vagrant ${action} failed for ${who}${detail}`, {
    cause,
    shortMessage: `vagrant ${action} failed for ${who}`,
  });
}
