import type { JobSpecJson } from '../nomad/allocations.ts';
import type { Command } from '../remote/quote.ts';
import type { UploadSource } from '../remote/remote.ts';

/** A file as the cluster file wants it. */
export interface WantedFile {
  path: string;
  source: UploadSource;
  /** sha256 (hex) of `source`: wantedFile() computes it. */
  sha256: string;
  mode: number;
  /** Left as it is when not given. */
  owner?: string;
  group?: string;
  /** Text worth showing as a diff in `plan` (configs and units, not binaries). */
  text?: string;
}

/** A command that moves a node toward what the cluster file says: a package, a user, a folder, a service. */
export interface RunChange {
  kind: 'run';
  /** What it does, for the report: `restart consul`. */
  description: string;
  /** Why, for `plan`: `consul.hcl changed`. */
  reason?: string;
  command: Command;
  sudo: boolean;
  /** Sent to the command's stdin (never shown). */
  stdin?: string;
  /** Made while waiting, to mend a race `plan` cannot foresee (a client the servers refused, restarted). */
  repair?: true;
}

/** A file written whole: put beside its target, then renamed into place. */
export interface PutChange extends Omit<WantedFile, 'text'> {
  kind: 'put';
  description: string;
  reason?: string;
  /** For `plan`: the text before (undefined: a new file) and after, when the file is text worth showing. */
  diff?: { before: string | undefined; after: string };
}

/** A Nomad job registered (or updated) through the API of the node it is applied on. */
export interface JobChange {
  kind: 'job';
  description: string;
  reason?: string;
  job: JobSpecJson;
}

/**
 * A request to a node's own Consul or Nomad API that changes the cluster: an ACL policy or token made, ACLs
 * bootstrapped. The body may hold a secret: it is sent, never shown.
 */
export interface ApiChange {
  kind: 'api';
  description: string;
  reason?: string;
  product: 'consul' | 'nomad';
  method: 'PUT' | 'POST';
  path: string;
  body?: unknown;
  /** Asked again on any other answer than 200 for this long (an agent that has only just elected a leader). */
  retryMs?: number;
  /** An answer that asking again cannot mend, and what to tell the user then. */
  refused?: { match: RegExp; message: string };
}

export type Change = RunChange | PutChange | JobChange | ApiChange;

/** A command change; most planners make these. */
export function runChange(
  description: string,
  command: Command,
  options: { sudo?: boolean; reason?: string; stdin?: string; repair?: true } = {},
): RunChange {
  return {
    kind: 'run',
    description,
    command,
    sudo: options.sudo ?? true,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.repair ? { repair: true } : {}),
  };
}
