import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { LabBusyError, lockLab } from '../../src/state/lab-lock.ts';

const stateDir = () => mkdtemp(join(tmpdir(), 'nomad-lab-lock-'));
/** The pid the lock file in `dir` names. */
const lockPid = async (dir: string) => (JSON.parse(await readFile(join(dir, 'lock'), 'utf8')) as { pid: number }).pid;
const holder = (pid: number, host = hostname()) =>
  `${JSON.stringify({ pid, host, command: 'up', startedAt: '2026-11-29T10:00:00.000Z' })}\n`;

test('the lock is taken, refused to a second taker with the holder named, and free again once released', async (t) => {
  const dir = await stateDir();
  const first = await lockLab(dir, 'lab1', 'up');
  t.is(await lockPid(dir), process.pid);
  const error = await t.throwsAsync(lockLab(dir, 'lab1', 'down'), { instanceOf: LabBusyError });
  t.regex(
    error.message,
    new RegExp(`^lab lab1 is busy: \`nomad-lab up\` \\(pid ${process.pid} on ${hostname()}\\) has held it since `),
  );
  t.regex(error.message, new RegExp(`kill ${process.pid}`));
  await first.release();
  const second = await lockLab(dir, 'lab1', 'down');
  await second.release();
});

test('a lock held by a live process of this host is obeyed', async (t) => {
  const dir = await stateDir();
  const sleeper = execa('sleep', ['30'], { reject: false });
  t.teardown(() => sleeper.kill());
  await writeFile(join(dir, 'lock'), holder(sleeper.pid!));
  const error = await t.throwsAsync(lockLab(dir, 'lab1', 'up'), { instanceOf: LabBusyError });
  t.is(error.holder.pid, sleeper.pid!);
});

test('a lock left by a process that is gone is taken over', async (t) => {
  const dir = await stateDir();
  const done = execa('true');
  await done;
  await writeFile(join(dir, 'lock'), holder(done.pid!));
  const lock = await lockLab(dir, 'lab1', 'up');
  t.is(await lockPid(dir), process.pid);
  await lock.release();
});

test('an unreadable lock (a holder that died while writing it) is taken over', async (t) => {
  const dir = await stateDir();
  await writeFile(join(dir, 'lock'), '{"pid":');
  const lock = await lockLab(dir, 'lab1', 'up');
  await lock.release();
  t.pass();
});

test('release leaves a lock that another process took over', async (t) => {
  const dir = await stateDir();
  const lock = await lockLab(dir, 'lab1', 'up');
  const sleeper = execa('sleep', ['30'], { reject: false });
  t.teardown(() => sleeper.kill());
  await writeFile(join(dir, 'lock'), holder(sleeper.pid!));
  await lock.release();
  t.is(await lockPid(dir), sleeper.pid!);
});
