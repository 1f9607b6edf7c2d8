import test from 'ava';
import { parseLines, remoteCommand } from '../../src/cli/commands/ssh.ts';
import { NomadLabError } from '../../src/errors.ts';

test("the command after NODE loses only the -- that ends nomad-lab's options", (t) => {
  t.deepEqual(remoteCommand(['--', 'hostname']), ['hostname']);
  t.deepEqual(remoteCommand(['--', 'echo', '--']), ['echo', '--']);
  t.deepEqual(remoteCommand(['hostname', '-f']), ['hostname', '-f']);
  t.deepEqual(remoteCommand([]), []);
});

test('-n takes a whole number of lines', (t) => {
  t.is(parseLines('20'), 20);
  t.is(parseLines('0'), 0);
  for (const bad of ['-1', '2.5', 'many']) t.throws(() => parseLines(bad), { instanceOf: NomadLabError });
});
