import { readFileSync } from 'node:fs';
import test from 'ava';
import { UP_STEPS } from '../../src/up.ts';

// src/up.ts is the one list of up's steps; the README's table of them ("How it works") is checked against it.

test("the README's step table names UP_STEPS, in order", (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('| step | where | needs → makes |'));
  const rows = table.split('\n').slice(2);
  const names = rows
    .slice(
      0,
      rows.findIndex((row) => !row.startsWith('|')),
    )
    .map((row) => row.split('|')[1]!.trim());
  t.deepEqual(
    names,
    UP_STEPS.map((step) => step.name),
  );
});
