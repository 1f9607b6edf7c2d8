import { InvalidArgumentError } from '@commander-js/extra-typings';
import { LIMITS } from '../config/limits.ts';
import { hasControlCharacter, printable, truncate } from '../text.ts';

// Values given on the command line are held to the cluster file's own bounds, and refused naming the option
// (commander adds "option '-f, --file <file>' argument ... is invalid").

/** A path given to an option: not empty, at most LIMITS.pathChars, no control or invisible characters. */
export function pathArgument(value: string): string {
  if (value === '') throw new InvalidArgumentError('it is empty: name a file or folder');
  if (value.length > LIMITS.pathChars) throw new InvalidArgumentError(`a path may have at most ${LIMITS.pathChars} characters, and this one has ${value.length}`);
  if (hasControlCharacter(value)) throw new InvalidArgumentError('it holds control or invisible characters: rename the file, or name it another way');
  return value;
}

export const fileOption = ['-f, --file <file>', 'cluster file', pathArgument, 'cluster.yaml'] as const;

/** What commander prints (errors that echo what was typed, help): control characters escaped, each line bounded. */
export function boundedOutput(text: string): string {
  return text.split('\n').map((line) => truncate(printable(line), LIMITS.lineChars)).join('\n');
}
