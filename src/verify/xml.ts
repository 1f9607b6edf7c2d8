// Escaping for the JUnit report: five entities, plus what XML 1.0 cannot hold at all.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Also keeps line breaks and tabs, which a parser would otherwise turn into spaces in an attribute. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/[\n\r\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}
