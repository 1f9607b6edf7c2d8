import { readFile } from 'node:fs/promises';
import test from 'ava';
import { machineState, parseStatus, unescapeMachineReadable } from '../../src/providers/vagrant/parse-status.ts';

const fixture = (name: string) => readFile(`test/fixtures/vagrant/${name}`, 'utf8');
const states = (machines: ReturnType<typeof parseStatus>) => machines.map((m) => [m.name, m.provider, m.state]);

test("three running docker machines, in Vagrant's order", async (t) => {
  const machines = parseStatus(await fixture('vagrant-status.txt'));
  t.deepEqual(states(machines), [
    ['server', 'docker', 'running'],
    ['client1', 'docker', 'running'],
    ['client2', 'docker', 'running'],
  ]);
});

test('escaped commas and newlines in a description are undone', async (t) => {
  const [server] = parseStatus(await fixture('vagrant-status.txt'));
  t.is(
    server!.description,
    'The container is created and running. You can stop it using\n`vagrant halt`, see logs with `vagrant ' +
      'docker-logs`, and\nkill/destroy it with `vagrant destroy`.',
  );
});

test('a halted machine is stopped', async (t) => {
  const machines = parseStatus(await fixture('vagrant-status-halted.txt'));
  t.deepEqual(
    machines.map((m) => machineState(m.state)),
    ['running', 'running', 'stopped'],
  );
});

test('after destroy every machine is not_created', async (t) => {
  const machines = parseStatus(await fixture('vagrant-status-notcreated.txt'));
  t.deepEqual(
    machines.map((m) => [m.name, machineState(m.state)]),
    [
      ['server', 'not_created'],
      ['client1', 'not_created'],
      ['client2', 'not_created'],
    ],
  );
});

test('the final ui line with an empty target is not a machine', async (t) => {
  const names = parseStatus(await fixture('vagrant-status.txt')).map((m) => m.name);
  t.false(names.includes(''));
});

const state = test.macro((t, vagrantState: string, expected: string) =>
  t.is(machineState(vagrantState) as string, expected),
);
for (const [word, expected] of [
  ['running', 'running'],
  ['poweroff', 'stopped'],
  ['shutoff', 'stopped'],
  ['saved', 'stopped'],
  ['not_created', 'not_created'],
  ['preparing', 'unknown'],
] as const) {
  test(`vagrant state ${word} is ${expected}`, state, word, expected);
}

test('unescape leaves other text alone', (t) => {
  t.is(unescapeMachineReadable('a%!(VAGRANT_COMMA)b\\nc'), 'a,b\nc');
});
