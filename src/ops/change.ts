import type { JobSpecJson } from '../nomad/allocations.ts';
import type { Command } from '../remote/quote.ts';
import type { WantedFile } from './files.ts';

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

export type Change = RunChange | PutChange | JobChange;

/** A command change; most planners make these. */
export function runChange(description: string, command: Command, options: { sudo?: boolean; reason?: string; stdin?: string } = {}): RunChange {
  return {
    kind: 'run',
    description,
    command,
    sudo: options.sudo ?? true,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  };
}
