import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { runStep, StepError } from '../../src/pipeline/runner.ts';
import { newUpState, type UpState } from '../../src/pipeline/state.ts';
import { providerFor } from '../../src/providers/index.ts';
import type { AnyStep } from '../../src/pipeline/step.ts';
import type { Remote } from '../../src/remote/remote.ts';
import { passedSummary, stillFailing, verifyLab, verifyLabStep, waitingLine } from '../../src/steps/verify-lab.ts';
import { deployJobs } from '../../src/steps/deploy-jobs.ts';
import { UP_STEPS } from '../../src/up.ts';
import type { LabReach } from '../../src/lab-reach.ts';
import type { VerifyOptions, VerifySpec } from '../../src/verify/checks.ts';
import { DIRECT_REACH } from '../../src/verify/dialer.ts';
import { toReport, type CheckResult, type VerifyReport } from '../../src/verify/result.ts';

// The last step of `up` against fake verify results: what it says while waiting, when it ends, and how it fails.

const pass = (name: string): CheckResult => ({
  name,
  service: name.split(':')[0]!,
  ok: true,
  expected: 'x',
  actual: 'x',
  durationMs: 1,
});
const fail = (name: string, actual = '1 instance'): CheckResult => ({
  name,
  service: name.split(':')[0]!,
  ok: false,
  expected: '2 instances',
  actual,
  durationMs: 1,
  message: `${name} (10.77.0.12:8600): expected 2 instances, got ${actual}`,
});
const report = (...results: CheckResult[]): VerifyReport => toReport(results, 5);

test('the progress line names the first three failing checks and counts the rest', (t) => {
  const one = report(pass('consul: agent on server'), fail('whoami: SRV from client2'));
  t.is(waitingLine(one), 'waiting: 1 check failing: whoami: SRV from client2');
  const many = report(...['a', 'b', 'c', 'd', 'e'].map((s) => fail(`${s}: SRV`)), pass('consul: member server'));
  t.is(many.failed, 5);
  t.is(waitingLine(many), 'waiting: 5 checks failing: a: SRV, b: SRV, c: SRV, and 2 more');
});

test("the failure quotes verify's first five messages, one line each, and names `nomad-lab verify`", (t) => {
  const failed = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((s) => fail(`${s}: SRV from client1`));
  failed[0] = fail('a: health', 'an error:\n  Consul said no');
  const expected = 'expected 2 instances, got 1 instance';
  const got = `(10.77.0.12:8600): ${expected}`;
  t.is(
    stillFailing(report(...failed, pass('consul: agent on server')), 120_000),
    [
      'verify still fails after 120 s: 7 of 8 checks failing:',
      '  a: health (10.77.0.12:8600): expected 2 instances, got an error: Consul said no',
      ...['b', 'c', 'd', 'e'].map((s) => `  ${s}: SRV from client1 ${got}`),
      '  and 2 more',
      '`nomad-lab verify` shows the whole report.',
    ].join('\n'),
  );
  const bare = { ...fail('x: port 80 on client1'), message: undefined };
  t.is(stillFailing(report(bare), 1000).split('\n')[1], `  x: port 80 on client1: ${expected}`);
});

test('the summary counts the checks, and says so when they went through SSH', (t) => {
  t.is(passedSummary(report(pass('a'), pass('b'))), '2 checks pass');
  t.is(passedSummary({ ...report(pass('a')), reach: { via: 'ssh', reason: 'r' } }), '1 check passes, through SSH');
});

/** A state after deploy jobs: the cluster, sessions (none are used: the reach is faked), no security. */
function stateFor(cluster: Cluster): UpState {
  return {
    ...newUpState(cluster, { provider: providerFor(cluster) }),
    remotes: new Map<string, Remote>(),
    security: {},
  };
}

/** Verify's reports in turn (the last repeats), what each call was given, and whether the reach was closed. */
function fakes(reports: VerifyReport[]) {
  const calls: { spec: VerifySpec; options: VerifyOptions }[] = [];
  const reached: ReadonlyMap<string, Remote>[] = [];
  let closed = 0;
  const verify = (spec: VerifySpec, options: VerifyOptions) => {
    calls.push({ spec, options });
    return Promise.resolve(reports.length > 1 ? reports.shift()! : reports[0]!);
  };
  const reach = (_cluster: Cluster, sessions: ReadonlyMap<string, Remote>): Promise<LabReach> => {
    reached.push(sessions);
    const close = () => {
      closed++;
      return Promise.resolve();
    };
    return Promise.resolve({ reach: DIRECT_REACH, close });
  };
  return { calls, reached, verify, reach, closed: () => closed };
}

test("the step repeats verify until it passes, saying what fails when that changes; the CLI's options", async (t) => {
  const cluster = await loadCluster('cluster.yaml');
  const whoami = fail('whoami: SRV from client2');
  const health = fail('whoami: health');
  const f = fakes([report(whoami), report(whoami), report(whoami, health), report(pass('whoami: health'))]);
  const said: string[] = [];
  const step = verifyLabStep({ verify: f.verify, reach: f.reach, intervalMs: 1 }) as AnyStep;
  const state = stateFor(cluster);
  const outcome = await runStep(step, state, { onProgress: (_step, line) => said.push(line) });
  t.deepEqual(outcome, { summary: '1 check passes' });
  t.deepEqual(said, [
    'waiting: 1 check failing: whoami: SRV from client2',
    'waiting: 2 checks failing: whoami: SRV from client2, whoami: health',
  ]);
  t.is(f.calls.length, 4);
  t.is(f.calls[0]!.spec, cluster.spec);
  t.like(f.calls[0]!.options, { consulHttpPort: 8500, credentials: {}, reach: DIRECT_REACH });
  t.is(f.reached[0], state.remotes, "up's own sessions are offered to the reach");
  t.is(f.closed(), 1);
});

test("past its deadline the step fails with verify's messages; the reach is closed", async (t) => {
  const cluster = await loadCluster('cluster.yaml');
  const f = fakes([report(fail('whoami: SRV from client2'), pass('consul: agent on server'))]);
  const step = verifyLabStep({ verify: f.verify, reach: f.reach, timeoutMs: 20, intervalMs: 5 }) as AnyStep;
  const error = await t.throwsAsync(runStep(step, stateFor(cluster)), { instanceOf: StepError });
  t.is(error.step, 'verify the lab');
  t.is(
    error.message,
    'verify still fails after 0 s: 1 of 2 checks failing:\n' +
      '  whoami: SRV from client2 (10.77.0.12:8600): expected 2 instances, got 1 instance\n' +
      '`nomad-lab verify` shows the whole report.',
  );
  t.true(f.calls.length > 1, 'it tried again before giving up');
  t.is(f.closed(), 1);
});

test('verify that throws is retried; a deadline passed that way names the error', async (t) => {
  const cluster = await loadCluster('cluster.yaml');
  let calls = 0;
  const verify = () => {
    calls++;
    return Promise.reject(new Error('no route to the lab\nsecond line'));
  };
  const f = fakes([]);
  const step = verifyLabStep({ verify, reach: f.reach, timeoutMs: 20, intervalMs: 5 }) as AnyStep;
  const message = /^timed out after 0 s waiting for verify's checks to pass: no route to the lab$/;
  await t.throwsAsync(runStep(step, stateFor(cluster)), { message });
  t.true(calls > 1);
  t.is(f.closed(), 1);
});

test('a file without services or dns lookups still waits for the cluster checks', async (t) => {
  const loaded = await loadCluster('cluster.yaml');
  const cluster = { ...loaded, spec: { ...loaded.spec, services: [], dns: [] } };
  const drivers = 'nomad: drivers on client1';
  const f = fakes([report(fail(drivers, 'docker undetected')), report(pass(drivers))]);
  const step = verifyLabStep({ verify: f.verify, reach: f.reach, intervalMs: 1 }) as AnyStep;
  t.deepEqual(await runStep(step, stateFor(cluster)), { summary: '1 check passes' });
  t.is(f.calls.length, 2);
  t.is(f.calls[0]!.options.cluster, undefined, "verify's default: the cluster checks run");
});

test("up's last step, after deploy jobs; it plans nothing, so `nomad-lab plan` passes over it", (t) => {
  t.is(UP_STEPS.at(-1), verifyLab);
  t.is(UP_STEPS.at(-2), deployJobs);
  t.is(typeof verifyLab.plan, 'undefined');
  t.deepEqual(verifyLab.makes, []);
});
