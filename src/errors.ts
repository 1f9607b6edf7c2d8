import { LIMITS } from './config/limits.ts';
import { printable, printableLine, truncate } from './text.ts';

/** Base of every error nomad-lab throws on purpose; the CLI prints `message` and exits without a stack trace. */
export class NomadLabError extends Error {
  override name = 'NomadLabError';
  /** One line for a summary; `message` may carry more. */
  readonly shortMessage: string;

  constructor(message: string, options?: { cause?: unknown; shortMessage?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = options?.shortMessage ?? message.split('\n', 1)[0]!;
  }
}

export type Severity = 'error' | 'warning';

/** One problem in a cluster file, located at `file:line:col` and a key path like `nodes[1].address`. */
export interface ConfigIssue {
  severity: Severity;
  file: string;
  line: number;
  col: number;
  /** Dotted key path, empty for the document itself. */
  path: string;
  message: string;
}

/**
 * One line, whatever the file's name, keys and values hold: control characters escaped, the message cut at
 * LIMITS.messageChars, the line at LIMITS.lineChars.
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const message = truncate(issue.message, LIMITS.messageChars);
  const what = issue.severity === 'warning' ? `warning: ${message}` : message;
  // Cut after escaping: an escape is six characters, so a short message of control characters can grow long.
  return truncate(printableLine(issue.path ? `${where} ${issue.path}: ${what}` : `${where} ${what}`), LIMITS.lineChars);
}

/** The first LIMITS.issuesShown issues, a line each, then how many more there are. */
export function formatIssues(issues: readonly ConfigIssue[]): string[] {
  const shown = issues.slice(0, LIMITS.issuesShown).map(formatIssue);
  const more = issues.length - shown.length;
  return more > 0 ? [...shown, `and ${more} more ${more === 1 ? 'problem' : 'problems'}, not shown`] : shown;
}

/**
 * Issues for JSON output, bounded as text mode is: the first LIMITS.issuesShown, each message cut at
 * LIMITS.messageChars, fewer when their JSON would pass LIMITS.outputBytes; `more` counts the rest.
 */
export function boundedIssues(issues: readonly ConfigIssue[]): { issues: ConfigIssue[]; more?: number } {
  const shown: ConfigIssue[] = [];
  // Room for the file name and summary around the list.
  let bytes = 2 * LIMITS.lineChars;
  for (const issue of issues.slice(0, LIMITS.issuesShown)) {
    const bounded = {
      ...issue,
      file: truncate(issue.file, LIMITS.messageChars),
      path: truncate(issue.path, LIMITS.messageChars),
      message: truncate(issue.message, LIMITS.messageChars),
    };
    bytes += Buffer.byteLength(printable(JSON.stringify(bounded, null, 2))) + 8;
    if (bytes > LIMITS.outputBytes) break;
    shown.push(bounded);
  }
  return shown.length < issues.length ? { issues: shown, more: issues.length - shown.length } : { issues: shown };
}

/** A cluster file that cannot be used; `issues` holds every problem found, not just the first. */
export class ConfigError extends NomadLabError {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    const errors = issues.filter((i) => i.severity === 'error').length;
    super(formatIssues(issues).join('\n'), {
      ...options,
      shortMessage: printableLine(`${file}: ${errors} ${errors === 1 ? 'problem' : 'problems'}`),
    });
    this.issues = issues;
  }
}

/** A command that failed, on the host or on a node: says where, what ran, and the tail of its stderr. */
export class CommandError extends NomadLabError {
  override name = 'CommandError';

  constructor(
    /** `host`, or the node's name. */
    readonly where: string,
    /** The command as a person could paste it. */
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    const status = exitCode === undefined ? 'failed' : `exit ${exitCode}`;
    const head = `[${where}] ${status}: ${command}`;
    const body = stderrTail ? `\n${stderrTail.replace(/^/gm, '  | ')}` : '';
    const hint = options?.hint ? `\n${options.hint}` : '';
    super(`${head}${body}${hint}`, { cause: options?.cause, shortMessage: head });
  }
}

/** The last `lines` lines of a command's output, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A provider (Vagrant, existing hosts) could not boot, reach or destroy a machine. */
export class ProviderError extends NomadLabError {
  override name = 'ProviderError';
}

/** A command that failed on a node: `[client1] exit 1: systemctl restart nomad` and the tail of its stderr. */
export class RemoteCommandError extends CommandError {
  override name = 'RemoteCommandError';
}

/** A node that could not be reached over SSH (refused, timed out, authentication failed) within the deadline. */
export class RemoteConnectError extends NomadLabError {
  override name = 'RemoteConnectError';

  constructor(
    readonly node: string,
    /** `user@host:port`. */
    readonly target: string,
    reason: string,
    options: { cause?: unknown; hint?: string },
  ) {
    const head = `[${node}] cannot connect to ${target}: ${reason}`;
    super(options.hint ? `${head}\n${options.hint}` : head, { cause: options.cause, shortMessage: head });
  }
}

/** A node offered a host key other than the one pinned on first contact. */
export class HostKeyError extends NomadLabError {
  override name = 'HostKeyError';

  constructor(
    readonly node: string,
    /** `host:port`. */
    readonly address: string,
    readonly pinnedFingerprint: string,
    readonly offeredFingerprint: string,
    readonly knownHostsFile: string,
    options?: { cause?: unknown },
  ) {
    const head = `[${node}] host key of ${address} changed: pinned ${pinnedFingerprint}, offered ${offeredFingerprint}`;
    const hint =
      `If ${node} was re-created on purpose, accept its new key with \`nomad-lab ` +
      `forget-host-key ${node}\` (add -f FILE for ` +
      `another cluster file) ` +
      `and run your command again; it removes ${node}'s line from ${knownHostsFile}. ` +
      'Otherwise something else may be answering at that address: do not connect.';
    super(`${head}\n${hint}`, { cause: options?.cause, shortMessage: head });
  }
}

/**
 * A verification query that got no usable answer (a DNS server silent, a port refused): names what was asked, where,
 * and why.
 */
export class VerifyError extends NomadLabError {
  override name = 'VerifyError';

  constructor(
    /** What was asked and where, e.g. `SRV whoami.service.consul from 10.77.0.11:8600`. */
    readonly subject: string,
    /** What came back instead, e.g. `no answer over UDP within 2000 ms`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${reason}`, options);
  }
}
