import { InvalidArgumentError } from '@commander-js/extra-typings';
import { LIMITS } from '../config/limits.ts';
import { printable } from '../text.ts';

// Values given on the command line are held to the cluster file's own bounds, and refused naming the option
// (commander adds "option '-f, --file <file>' argument ... is invalid").

/**
 * A path given to an option: not empty, at most LIMITS.pathChars. A name with control characters may be a real file: it
 * is escaped where printed.
 */
export function pathArgument(value: string): string {
  if (value === '') throw new InvalidArgumentError('It is empty: name a file or folder.');
  if (value.length > LIMITS.pathChars)
    throw new InvalidArgumentError(
      `A path may have at most ${LIMITS.pathChars} characters, and this one has ${value.length}.`,
    );
  return value;
}

export const fileOption = ['-f, --file <file>', 'cluster file', pathArgument, 'cluster.yaml'] as const;

/**
 * What commander prints (errors that echo what was typed, help): control characters escaped, each line bounded.
 * A long line loses its middle, where commander quotes the value, so the reason at its end stays.
 */
export function boundedOutput(text: string): string {
  const half = LIMITS.lineChars / 2;
  return text
    .split('\n')
    .map((raw) => {
      const line = printable(raw);
      return line.length <= LIMITS.lineChars
        ? line
        : `${line.slice(0, half)}… (${line.length - 2 * half} characters left out) …${line.slice(-half)}`;
    })
    .join('\n');
}
