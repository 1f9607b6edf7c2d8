import { quote } from 'shell-quote';

/**
 * A fixed shell script written by nomad-lab itself; values reach it only as positional
 * parameters (`"$1"`, `"$@"`), never spliced into `text`.
 */
export interface Script {
  readonly script: string;
  readonly args?: readonly string[];
  /** What error messages show instead of the whole script, e.g. `read facts of /etc/consul.d/consul.hcl`. */
  readonly label?: string;
}

/** What runs on a node: an argv (each argument quoted) or a code-authored script. */
export type Command = readonly string[] | Script;

/** A script run as `sh -c <script> sh <args...>`, so `$1..$n` are `args`. */
export function script(text: string, args: readonly string[] = [], label?: string): Script {
  return label === undefined ? { script: text, args } : { script: text, args, label };
}

export function isScript(command: Command): command is Script {
  return !Array.isArray(command);
}

/** Quotes every argument for a POSIX shell, so no value can start another command. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('a remote command needs at least one argument');
  for (const arg of argv) {
    // shell-quote also accepts operator objects; a value must never become one.
    if (typeof arg !== 'string') throw new TypeError(`a remote command argument must be a string, got ${typeof arg}`);
    if (arg.includes('\0')) throw new TypeError('a remote command argument cannot contain a NUL byte');
  }
  return quote([...argv]);
}

function toArgv(command: Command): string[] {
  return isScript(command) ? ['sh', '-c', command.script, 'sh', ...(command.args ?? [])] : [...command];
}

/** The line sent to the node's login shell; `sudo` prefixes `sudo -n --` (never prompts). */
export function commandLine(command: Command, options: { sudo?: boolean } = {}): string {
  const argv = toArgv(command);
  return quoteArgv(options.sudo ? ['sudo', '-n', '--', ...argv] : argv);
}

/** The command as error messages show it: the argv as a person could paste it, or a script's label. */
export function displayCommand(command: Command): string {
  if (isScript(command) && command.label !== undefined) return command.label;
  return quoteArgv(toArgv(command));
}
