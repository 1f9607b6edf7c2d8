// Text from a cluster file or a node reaches a terminal: these keep it inert and short.

/** C0 controls but tab and newline, DEL, C1 controls, and the line separators and bidirectional overrides a terminal acts on. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const ANY_CONTROL = new RegExp(CONTROL_OR_NEWLINE.source);

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every control character written as a `\uXXXX` escape; newlines and tabs stay (also valid inside JSON output). */
export function printable(text: string): string {
  return text.replace(CONTROL, escape);
}

/** `text` on one line: newlines escaped too. */
export function printableLine(text: string): string {
  return text.replace(CONTROL_OR_NEWLINE, escape);
}

/** Whether `text` holds a character that `printable` would escape, or a newline. */
export function hasControlCharacter(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** Longest part of a value quoted in a message. */
export const QUOTED_CHARS = 80;

/** `value` as a JSON string for a message, cut to its first QUOTED_CHARS characters with its length said. */
export function quote(value: string): string {
  if (value.length <= QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTED_CHARS))}… (${value.length} characters)`;
}

/** `text` cut to `max` characters, with "…" where it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
