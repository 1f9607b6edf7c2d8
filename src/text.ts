// Text from a cluster file or a node reaches a terminal: these keep it inert and short.

/**
 * C0 controls but tab and newline, DEL, C1 controls, the line separators and bidirectional overrides a terminal acts
 * on, and the invisible characters that make one text look like another: zero-width spaces and joiners, bidi marks, the
 * BOM, the soft hyphen, tag characters, and halves of a character (lone surrogates).
 */
const INERT =
  '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u061c' +
  '\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\u206a-\\u206f\\ufeff\\ufff9-\\ufffb';
const TAGS = '\\udb40[\\udc00-\\udc7f]';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const CONTROL = new RegExp(`[${INERT}]|${TAGS}|${LONE_SURROGATE}`, 'g');
const CONTROL_OR_NEWLINE = new RegExp(`[${INERT}\\u000a]|${TAGS}|${LONE_SURROGATE}`, 'g');

const ANY_CONTROL = new RegExp(CONTROL_OR_NEWLINE.source);

/** Each UTF-16 unit as `\uXXXX`: the same escape in JSON, JavaScript and a message. */
function escape(c: string): string {
  return [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
}

/**
 * `text` with every control character written as a `\uXXXX` escape; newlines and tabs stay (also valid inside JSON
 * output).
 */
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
