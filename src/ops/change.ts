import type { Command } from '../remote/quote.ts';

/** One command that moves a node toward what the cluster file says, and why it is needed. */
export interface Change {
  description: string;
  command: Command;
  sudo: boolean;
}

/** What runs changes: a node whose failing command throws (naming node, command and stderr). */
export interface ChangeRunner {
  readonly node: string;
  run(command: Command, options?: { sudo?: boolean }): Promise<unknown>;
}

export async function applyChanges(node: ChangeRunner, changes: readonly Change[]): Promise<void> {
  for (const change of changes) await node.run(change.command, { sudo: change.sudo });
}
