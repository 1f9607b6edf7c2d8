import test from 'ava';
import { hasControlCharacter, printable, printableLine, quote, truncate } from '../src/text.ts';

const escapes: [string, string, string][] = [
  ['plain text stays', 'server 10.77.0.10', 'server 10.77.0.10'],
  ['an escape sequence', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
  ['a terminal title (OSC ... BEL)', '\u001b]0;x\u0007', '\\u001b]0;x\\u0007'],
  ['a carriage return', 'ok\rFAIL', 'ok\\u000dFAIL'],
  ['DEL and a C1 CSI', '\u007f\u009b31m', '\\u007f\\u009b31m'],
  ['a right-to-left override', 'txt.\u202eexe', 'txt.\\u202eexe'],
  ['zero-width characters that make a refused name look like "server"', 'ser\u200bver\u2060', 'ser\\u200bver\\u2060'],
  ['bidi marks and the BOM', '\ufeff\u200eab\u200f\u061c', '\\ufeff\\u200eab\\u200f\\u061c'],
  ['a tag character, as two escapes', 'a\u{e0041}', 'a\\udb40\\udc41'],
  ['half a character (a lone surrogate)', 'a\ud800b', 'a\\ud800b'],
  ['an emoji stays whole', 'ok \u{1f600}', 'ok \u{1f600}'],
  ['tabs stay', 'a\tb', 'a\tb'],
  ['non-ASCII letters stay', 'Grüße 日本', 'Grüße 日本'],
];
for (const [name, input, expected] of escapes) {
  test(`printable: ${name}`, (t) => {
    t.is(printable(input), expected);
    t.is(hasControlCharacter(input), input !== expected);
  });
}

test('printable keeps newlines; printableLine escapes them', (t) => {
  t.is(printable('a\nb'), 'a\nb');
  t.is(printableLine('a\nb\u001b'), 'a\\u000ab\\u001b');
  t.true(hasControlCharacter('a\nb'));
});

test('the escapes are valid JSON string escapes of the same characters', (t) => {
  const value = 'x\u009b\u202e\u2028y';
  t.is(JSON.parse(printable(JSON.stringify(value))), value);
});

test('quote cuts long values and says how long they were', (t) => {
  t.is(quote('short'), '"short"');
  t.is(quote('x'.repeat(80)), `"${'x'.repeat(80)}"`);
  t.is(quote('x'.repeat(81)), `"${'x'.repeat(80)}"… (81 characters)`);
  t.is(quote('\u001b'), '"\\u001b"');
});

test('truncate', (t) => {
  t.is(truncate('abc', 3), 'abc');
  t.is(truncate('abcd', 3), 'ab…');
});
