import test from 'ava';
import { GaveUp, waitFor } from '../../src/pipeline/wait.ts';
import { stuckClients } from '../../src/steps/configure-nomad.ts';

test('waitFor reports what is left only when it changes, and returns once nothing is', async (t) => {
  const states = [['a down'], ['a down'], ['a down'], ['a initializing'], ['a initializing'], []];
  const heard: string[][] = [];
  await waitFor('a', () => Promise.resolve(states.shift()!), {
    timeoutMs: 5000,
    intervalMs: 1,
    onWaiting: (left) => heard.push(left),
  });
  t.deepEqual(heard, [['a down'], ['a initializing']]);
});

test('waitFor times out naming what was still wrong; GaveUp ends the wait at once', async (t) => {
  const timedOut = await t.throwsAsync(
    waitFor('the thing', () => Promise.resolve(['x not ready']), { timeoutMs: 20, intervalMs: 5 }),
  );
  t.regex(timedOut.message, /timed out after 0 s waiting for the thing: x not ready/);
  let calls = 0;
  await t.throwsAsync(
    waitFor(
      'y',
      () => {
        calls++;
        return Promise.reject(new GaveUp('crashing'));
      },
      { timeoutMs: 5000, intervalMs: 1 },
    ),
    { message: 'crashing' },
  );
  t.is(calls, 1);
});

test('stuckClients: clients not registered 1 s after there is a leader; nothing else', (t) => {
  // client1 unknown; client2 down, client3 initializing, client4 without its driver: registered, not stuck.
  const nodes = JSON.stringify([
    { Name: 'client2', Status: 'down' },
    { Name: 'client3', Status: 'initializing' },
    { Name: 'client4', Status: 'ready', Drivers: {} },
  ]);
  const names = ['client1', 'client2', 'client3', 'client4'];
  t.deepEqual(stuckClients(nodes, names, 800), []);
  t.deepEqual(stuckClients(nodes, names, 1_500), [
    { name: 'client1', why: 'not registered 1 s after the servers elected a leader' },
  ]);
  t.deepEqual(
    stuckClients(nodes, names, 300_000).map((s) => s.name),
    ['client1'],
  );
});
