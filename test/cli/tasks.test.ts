import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { listrReporter } from '../../src/cli/tasks.ts';
import { loadCluster } from '../../src/config/load.ts';
import { defineStep, type AnyStep, type StepOutcome } from '../../src/pipeline/step.ts';
import { runUp } from '../../src/up.ts';

// Not a terminal here: listr2's simple renderer, as under CI. The end-to-end tests grep these lines.

/** A host-side step: it needs and makes nothing. */
const step = (name: string, run: (say: (line: string) => void) => Promise<StepOutcome>): AnyStep =>
  defineStep({ name, needs: [], makes: [], run: (_state, say) => run(say) });

const build = step('job images', async (say) => {
  say('building whoami');
  await new Promise((resolve) => setTimeout(resolve, 5));
  say('saving whoami');
  return { summary: '1 built' };
});
const skipped = step('check ports', () => Promise.resolve({ skipped: 'not existing hosts' }));
const deploy = step('deploy jobs', (say) => {
  say('waiting: whoami 1 of 2 healthy');
  return Promise.resolve({});
});
const failing = step('configure Consul', () => Promise.reject(new Error('[client1] exit 1: systemctl restart consul')));

/** The lines `up` draws with the steps given, seconds as N; and its error, if any. */
async function drawn(steps: AnyStep[]): Promise<{ lines: string[]; error?: Error }> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-tasks-'));
  const cluster = { ...(await loadCluster('cluster.yaml')), dir };
  const written: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const capture = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const reporter = listrReporter(steps);
  try {
    await runUp(steps, cluster, { reporter });
    await reporter.finished();
    return { lines: lines(written) };
  } catch (error) {
    await reporter.finished(error);
    return { lines: lines(written), error: error as Error };
  } finally {
    Object.assign(process.stdout, { write: writes.out });
    Object.assign(process.stderr, { write: writes.err });
    await rm(dir, { recursive: true, force: true });
  }
}

const lines = (written: string[]) =>
  written
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/\(\d+\.\d s\)/, '(N s)'));

test.serial("a task per step: progress as output, the summary and seconds in its title, a skip's reason", async (t) => {
  const { lines, error } = await drawn([build, skipped, deploy]);
  t.is(error, undefined);
  t.deepEqual(lines, [
    '❯ job images',
    '› building whoami',
    '› saving whoami',
    '✔ job images: 1 built (N s)',
    '❯ check ports',
    '↓ check ports [SKIPPED: check ports: not existing hosts]',
    '❯ deploy jobs',
    '› waiting: whoami 1 of 2 healthy',
    '✔ deploy jobs (N s)',
  ]);
});

test.serial('a failed step is drawn failed with its error, and no step after it', async (t) => {
  const { lines, error } = await drawn([build, failing, deploy]);
  t.is(error?.message, '[client1] exit 1: systemctl restart consul');
  t.deepEqual(lines.slice(4), [
    '❯ configure Consul',
    '✖ configure Consul [FAILED: [client1] exit 1: systemctl restart consul]',
  ]);
});
