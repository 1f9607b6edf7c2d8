import test from 'ava';
import { runInherited } from '../../src/cli/spawn.ts';
import { NomadLabError } from '../../src/errors.ts';

// What `ssh`, `logs`, `nomad` and `consul` exit with: the program's own code, or 128 + a signal.

test('the exit code is passed through', async (t) => {
  t.is(await runInherited('sh', ['-c', 'exit 7']), 7);
  t.is(await runInherited('true', []), 0);
});

test('a program ended by a signal gives 128 + its number', async (t) => {
  t.is(await runInherited('sh', ['-c', 'kill -TERM $$']), 143);
});

test("the environment given is the program's", async (t) => {
  t.is(
    await runInherited('sh', ['-c', 'test "$NOMAD_ADDR" = http://10.0.0.1:4646'], {
      PATH: process.env['PATH'],
      NOMAD_ADDR: 'http://10.0.0.1:4646',
    }),
    0,
  );
});

test('a program that cannot start is a NomadLabError naming it', async (t) => {
  const error = await t.throwsAsync(runInherited('/no/such/nomad', []), { instanceOf: NomadLabError });
  t.regex(error.message, /^cannot run \/no\/such\/nomad: /);
});
