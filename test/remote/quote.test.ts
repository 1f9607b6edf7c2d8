import test from 'ava';
import { execa } from 'execa';
import { commandLine, displayCommand, quoteArgv, script, type Command } from '../../src/remote/index.ts';

const line = test.macro({
  exec(t, command: Command, sudo: boolean, expected: string) {
    t.is(commandLine(command, { sudo }), expected);
  },
  title: (given, command: Command, sudo: boolean) => given ?? `${JSON.stringify(command)}${sudo ? ' (sudo)' : ''}`,
});

test(line, ['systemctl', 'restart', 'nomad'], false, 'systemctl restart nomad');
test(line, ['systemctl', 'restart', 'nomad'], true, 'sudo -n -- systemctl restart nomad');
test(line, ['echo', 'a b', ''], false, "echo 'a b' ''");
test(line, script('printf %s "$1"', ['$(id)']), false, String.raw`sh -c 'printf %s "$1"' sh \$\(id\)`);
test(line, script('exit 0'), true, "sudo -n -- sh -c 'exit 0' sh");

const hostile = [
  `$(touch /tmp/pwned); 'x"`,
  '`id`',
  'a\nb',
  "it's",
  "it's!",
  '$HOME',
  '~root',
  '*',
  '[a]',
  '{a,b}',
  'a;b',
  'a&&b',
  '#x',
  '\\',
  '\t',
  'é ü',
  '-n',
];

test('every hostile value survives a real POSIX shell verbatim', async (t) => {
  for (const value of hostile) {
    const { stdout } = await execa('sh', ['-c', quoteArgv(['printf', '%s', value])], { stripFinalNewline: false });
    t.is(stdout, value, JSON.stringify(value));
  }
});

test('values that are not plain strings are refused', (t) => {
  t.throws(() => quoteArgv([]), { message: /at least one argument/ });
  t.throws(() => quoteArgv(['echo', { op: ';' } as unknown as string]), { message: /must be a string/ });
  t.throws(() => quoteArgv(['echo', 'a\0b']), { message: /NUL/ });
});

test('errors show the argv, or a script by its label', (t) => {
  t.is(displayCommand(['systemctl', 'restart', 'nomad']), 'systemctl restart nomad');
  t.is(displayCommand(script('long\nscript', ['x'], 'read facts of /etc/x')), 'read facts of /etc/x');
  t.is(displayCommand(script('exit 1')), "sh -c 'exit 1' sh");
});
