// Escaping for the JUnit report: five entities, plus what XML 1.0 cannot hold at all.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The C0 controls but tab, newline and carriage return, and the noncharacters U+FFFE and U+FFFF. */
const CONTROLS = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]';
/** Half of a character: a high surrogate with no low one after it, a low one with no high one before it. */
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
/** Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
const FORBIDDEN = new RegExp(`${CONTROLS}|${LONE_SURROGATE}`, 'g');

export function xmlText(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Also keeps line breaks and tabs, which a parser would otherwise turn into spaces in an attribute. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/[\n\r\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}
