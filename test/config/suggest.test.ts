import test from 'ava';
import { suggest } from '../../src/config/suggest.ts';

const cases: [string, string[], string | undefined][] = [
  ['adress', ['name', 'address', 'role'], 'address'],
  ['Role', ['name', 'address', 'role'], 'role'],
  ['hostvolumes', ['host_volumes', 'ssh'], 'host_volumes'],
  ['zzz', ['name', 'address', 'role'], undefined],
  ['x', [], undefined],
];

for (const [input, candidates, expected] of cases) {
  test(`suggest(${input}) is ${String(expected)}`, (t) => {
    t.is(suggest(input, candidates), expected);
  });
}
