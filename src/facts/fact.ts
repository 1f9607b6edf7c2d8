import { NomadLabError } from '../errors.ts';
import { displayCommand, type Command } from '../remote/quote.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What reads facts: a node that runs a command and returns its result, whatever the exit code. */
export interface FactReader {
  readonly node: string;
  exec(command: Command, options?: { sudo?: boolean }): Promise<ExecResult>;
}

/** A read-only command and a parser for its output: what nomad-lab knows of a node before it changes anything. */
export interface Fact<T> {
  readonly command: Command;
  readonly sudo?: boolean;
  parse(result: ExecResult): T;
}

export async function readFact<T>(node: FactReader, fact: Fact<T>): Promise<T> {
  const result = await node.exec(fact.command, { sudo: fact.sudo ?? false });
  try {
    return fact.parse(result);
  } catch (cause) {
    throw new NomadLabError(`[${node.node}] cannot read ${displayCommand(fact.command)}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
