import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { loadCluster, type Cluster } from '../src/config/load.ts';
import { labStateDir } from '../src/host/dirs.ts';
import { StepError, type StepHooks } from '../src/pipeline/runner.ts';
import { defineStep, type AnyStep } from '../src/pipeline/step.ts';
import type { Remote } from '../src/remote/remote.ts';
import { LabBusyError } from '../src/state/lab-lock.ts';
import { runUp, UpInterruptedError } from '../src/up.ts';
import { FakeNode } from './pipeline/helpers/fake-node.ts';

class ClosingNode extends FakeNode {
  closed = 0;

  override close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

/** The repository's lab, its state (and lock) in a folder of the test's own. */
async function tempCluster(t: ExecutionContext): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-up-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { ...(await loadCluster('cluster.yaml')), dir };
}

const locked = async (cluster: Cluster) =>
  (await readdir(labStateDir(cluster)).catch(() => [] as string[])).includes('lock');

/** A reporter that writes down every call, as `event step[: detail]`. */
function recorder(): { seen: string[]; reporter: StepHooks } {
  const seen: string[] = [];
  return {
    seen,
    reporter: {
      onStart: (step) => seen.push(`start ${step.name}`),
      onProgress: (step, line) => seen.push(`progress ${step.name}: ${line}`),
      onEnd: (step, outcome) => seen.push(`end ${step.name}: ${outcome.summary ?? `skipped, ${outcome.skipped}`}`),
      onFail: (step, error) => seen.push(`fail ${step.name}: ${error.message}`),
    },
  };
}

/** A step that opens one session, to `node`. */
const connectTo = (node: ClosingNode) =>
  defineStep({
    name: 'connect',
    needs: [],
    makes: ['remotes'],
    run: () => Promise.resolve({ remotes: new Map<string, Remote>([[node.node, node]]), summary: '1 session' }),
  });
const configure = defineStep({
  name: 'configure',
  needs: ['remotes'],
  makes: [],
  run: (_state, progress) => {
    progress('waiting: members');
    return Promise.resolve({ summary: '1 node' });
  },
});
const deploy = defineStep({ name: 'deploy', needs: [], makes: [], run: () => Promise.resolve({ skipped: 'no jobs' }) });
const failing = defineStep({
  name: 'break',
  needs: [],
  makes: [],
  run: async () => Promise.reject(new Error('[client1] exit 1: boom')),
});

test("up tells the reporter of each step in order, closes the sessions and releases the lab's lock", async (t) => {
  const cluster = await tempCluster(t);
  const node = new ClosingNode('server', '10.0.0.1');
  const { seen, reporter } = recorder();
  const report = await runUp([connectTo(node), configure, deploy] as AnyStep[], cluster, { reporter });
  t.deepEqual(seen, [
    'start connect',
    'end connect: 1 session',
    'start configure',
    'progress configure: waiting: members',
    'end configure: 1 node',
    'start deploy',
    'end deploy: skipped, no jobs',
  ]);
  t.deepEqual(report.changes, []);
  t.is(node.closed, 1);
  t.false(await locked(cluster));
});

test('a failed step: a StepError naming it, no step after it, sessions closed, the lock released', async (t) => {
  const cluster = await tempCluster(t);
  const node = new ClosingNode('server', '10.0.0.1');
  const { seen, reporter } = recorder();
  const run = runUp([connectTo(node), failing, configure] as AnyStep[], cluster, { reporter });
  const error = await t.throwsAsync(run, { instanceOf: StepError });
  t.is(error.step, 'break');
  t.deepEqual(seen.slice(2), ['start break', 'fail break: [client1] exit 1: boom']);
  t.is(node.closed, 1);
  t.false(await locked(cluster));
});

test('aborted in a step: at once an UpInterruptedError naming it; sessions closed, the lock released', async (t) => {
  const cluster = await tempCluster(t);
  const node = new ClosingNode('server', '10.0.0.1');
  const late = new ClosingNode('client1', '10.0.0.2');
  const stop = new AbortController();
  let finish: () => void = () => {};
  const waiting = defineStep({
    name: 'configure Consul',
    needs: ['remotes'],
    makes: [],
    run: async ({ remotes }, progress) => {
      stop.abort();
      await new Promise<void>((resolve) => (finish = resolve));
      // A session the step opens after the abort, and a line nobody is told of any more.
      remotes.set(late.node, late);
      progress('too late');
      return {};
    },
  });
  const { seen, reporter } = recorder();
  const run = runUp([connectTo(node), waiting, configure] as AnyStep[], cluster, { reporter, signal: stop.signal });
  const error = await t.throwsAsync(run, { instanceOf: UpInterruptedError });
  t.is(error.message, 'up interrupted at step "configure Consul"');
  t.is(error.step, 'configure Consul');
  t.is(node.closed, 1);
  t.false(await locked(cluster));
  finish();
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.is(late.closed, 1, 'closed once the step in flight ended');
  t.deepEqual(seen.slice(2), [
    'start configure Consul',
    'fail configure Consul: up interrupted at step "configure Consul"',
  ]);
});

test('aborted before it starts: nothing run, no lock taken', async (t) => {
  const cluster = await tempCluster(t);
  const { seen, reporter } = recorder();
  const run = runUp([deploy] as AnyStep[], cluster, { reporter, signal: AbortSignal.abort() });
  const error = await t.throwsAsync(run, { instanceOf: UpInterruptedError });
  t.is(error.step, undefined);
  t.deepEqual(seen, []);
  t.false(await locked(cluster));
});

test('a busy lab: refused before any step, its lock left to its holder', async (t) => {
  const cluster = await tempCluster(t);
  const { seen, reporter } = recorder();
  // The test runner's parent: a live process of this host.
  const holder = { pid: process.ppid, host: hostname(), command: 'up', startedAt: '2026-11-29T10:00:00.000Z' };
  await mkdir(labStateDir(cluster), { recursive: true });
  await writeFile(join(labStateDir(cluster), 'lock'), JSON.stringify(holder));
  await t.throwsAsync(runUp([deploy] as AnyStep[], cluster, { reporter }), { instanceOf: LabBusyError });
  t.deepEqual(seen, []);
  t.true(await locked(cluster));
});
