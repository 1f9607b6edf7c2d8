/**
 * A Ruby double-quoted string literal for `value`.
 * JSON's escapes (\" \\ \n \t \uXXXX) mean the same in Ruby; `#` is escaped too,
 * because `#{`, `#@` and `#$` interpolate in a double-quoted Ruby string.
 */
export function rubyString(value: string): string {
  if (/[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw new TypeError(`not valid Unicode, cannot be a Ruby string: ${JSON.stringify(value)}`);
  }
  return JSON.stringify(value).replaceAll('#', '\\#');
}

/** A Ruby array of string literals, one per line when it is long. */
export function rubyStringArray(values: readonly string[], indent: string): string {
  if (values.length === 0) return '[]';
  return `[\n${values.map((v) => `${indent}  ${rubyString(v)},`).join('\n')}\n${indent}]`;
}

/**
 * A Ruby comment line for `text`: anything but printable ASCII is written as `\u{...}`, so no
 * newline (or anything else) in a file name can end the comment and start code.
 */
export function rubyComment(text: string): string {
  return `# ${text.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)}`;
}
