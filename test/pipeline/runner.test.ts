import test from 'ava';
import { formatLivePlan } from '../../src/cli/format.ts';
import { loadCluster } from '../../src/config/load.ts';
import { runPipeline, runStep, StepError } from '../../src/pipeline/runner.ts';
import { newUpState } from '../../src/pipeline/state.ts';
import { defineStep, type AnyStep } from '../../src/pipeline/step.ts';
import { UP_STEPS } from '../../src/up.ts';
import { providerFor } from '../../src/providers/index.ts';

async function freshState() {
  const cluster = await loadCluster('cluster.yaml');
  return newUpState(cluster, { provider: providerFor(cluster) });
}

const makesKey = defineStep({
  name: 'make the key',
  needs: [],
  makes: ['gossipKey'],
  run: () => Promise.resolve({ gossipKey: 'k', summary: 'made' }),
});
const needsKey = defineStep({
  name: 'use the key',
  needs: ['gossipKey'],
  makes: [],
  run: ({ gossipKey }) => Promise.resolve({ summary: `used ${gossipKey}` }),
});

test('the runner passes what a step makes to the steps after it, and reports each step', async (t) => {
  const state = await freshState();
  const seen: string[] = [];
  await runPipeline([makesKey, needsKey] as AnyStep[], state, {
    onEnd: (step, outcome) => seen.push(`${step.name}: ${outcome.summary}`),
  });
  t.deepEqual(seen, ['make the key: made', 'use the key: used k']);
  t.is(state.gossipKey, 'k');
});

test('a step whose needs no earlier step made is a bug the runner names', async (t) => {
  const state = await freshState();
  await t.throwsAsync(runStep(needsKey as AnyStep, state), {
    message: 'step "use the key" needs gossipKey, which no earlier step made',
  });
});

test('a step that does not make what it says it makes is a bug the runner names', async (t) => {
  const state = await freshState();
  const liar = defineStep({
    name: 'liar',
    needs: [],
    makes: ['gossipKey'],
    run: () => Promise.resolve({} as { gossipKey: string }),
  });
  await t.throwsAsync(runStep(liar as AnyStep, state), {
    message: 'step "liar" made nothing, but says it makes gossipKey',
  });
});

test("a step's failure is a StepError naming the step, with the cause's message", async (t) => {
  const state = await freshState();
  const failing = defineStep({
    name: 'fail',
    needs: [],
    makes: [],
    run: async () => Promise.reject(new Error('[client2] exit 1: systemctl start nomad')),
  });
  const error = await t.throwsAsync(runPipeline([failing] as AnyStep[], state), { instanceOf: StepError });
  t.is(error.step, 'fail');
  t.is(error.message, '[client2] exit 1: systemctl start nomad');
});

test("up's steps are in an order where every step's needs are made by an earlier one", (t) => {
  const made = new Set<string>();
  for (const step of UP_STEPS) {
    for (const need of step.needs) t.true(made.has(need), `${step.name} needs ${need}`);
    for (const product of step.makes) made.add(product);
  }
});

test('the live plan: 0 changes, or per node each change with why and the diff of a file', (t) => {
  t.is(formatLivePlan([]), 'plan: 0 changes, the lab is as cluster.yaml says');
  const diff =
    'Index: /etc/consul.d/consul.hcl\n===================================================================\n--- ' +
    ('/etc/consul.d/consul.hcl\ton the node\n+++ /etc/consul.d/consul.hcl\tas up would write it\n@@ -1,2 +1,1 ' +
      '@@\n a = 1\n-# edited by hand\n');
  t.is(
    formatLivePlan([
      {
        step: 'configure Consul',
        node: 'client1',
        description: 'wrote /etc/consul.d/consul.hcl (content)',
        reason: 'its content differs',
        diff,
      },
      {
        step: 'configure Consul',
        node: 'client1',
        description: 'restart consul',
        reason: '/etc/consul.d/consul.hcl changed',
      },
    ]),
    [
      'client1:',
      '  ~ wrote /etc/consul.d/consul.hcl (content) (its content differs)  [configure Consul]',
      '      --- /etc/consul.d/consul.hcl\ton the node',
      '      +++ /etc/consul.d/consul.hcl\tas up would write it',
      '      @@ -1,2 +1,1 @@',
      '       a = 1',
      '      -# edited by hand',
      '  ~ restart consul (/etc/consul.d/consul.hcl changed)  [configure Consul]',
      '',
      'plan: 2 changes; `nomad-lab up` makes them',
    ].join('\n'),
  );
});
