import Mustache from 'mustache';

const SIMPLE_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * An HCL quoted string for `value`, with only the escapes HCL's native syntax has (\n \r \t \" \\ \uNNNN
 * \UNNNNNNNN): JSON's \b and \f are not among them. Other control characters become \uNNNN; `${` and `%{` are
 * written `$${` and `%%{`, so no value starts a template.
 */
export function hclString(value: string): string {
  let body = '';
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      throw new TypeError(`not valid Unicode, cannot be an HCL string: ${JSON.stringify(value)}`);
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) body += simple;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029)
      body += `\\u${code.toString(16).padStart(4, '0')}`;
    else body += c;
  }
  return `"${body.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')}"`;
}

/** An HCL literal for a value: strings quoted (hclString), lists, numbers, booleans. */
export function hclValue(value: unknown): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`;
  throw new TypeError(`no HCL literal for ${typeof value}`);
}

/** Renders a template whose `{{name}}` tags become HCL literals of the view's values. */
export function renderHcl(template: string, view: object): string {
  return Mustache.render(template, view, {}, { escape: hclValue });
}
