import test from 'ava';
import type { AllocationStub, JobListStub, TaskState } from '../../src/remote/agent-types.ts';
import { jobStates } from '../../src/verify/job-evaluate.ts';

const job = (ID: string, Status = 'running'): JobListStub => ({ ID, Type: 'service', Status });
const alloc = (id: string, jobId: string, client: string, task: TaskState, extra: Partial<AllocationStub> = {}) => ({
  ID: `${id}-0000-4000-8000-000000000000`,
  Name: `${jobId}.g[0]`,
  NodeName: 'client1',
  TaskGroup: 'g',
  DesiredStatus: 'run',
  ClientStatus: client,
  JobID: jobId,
  TaskStates: { web: task },
  ...extra,
});
const PULL =
  'Failed to pull `10.82.0.10:5000/nomadlab/whoami:1`: Error response from daemon: ' +
  'unauthorized: authentication required';
const retrying: TaskState = {
  State: 'pending',
  Failed: false,
  Events: [
    { Type: 'Received' },
    { Type: 'Driver', DisplayMessage: 'Downloading image' },
    { Type: 'Driver Failure', DisplayMessage: PULL },
    { Type: 'Restarting', DisplayMessage: 'Task restarting in 16s' },
  ],
};
const running: TaskState = { State: 'running', Failed: false, Events: [{ Type: 'Started' }] };

test('a task that keeps failing to pull is named with its allocation, node and the reason', (t) => {
  const states = jobStates([job('bad')], [alloc('0badc0de', 'bad', 'pending', retrying)]);
  t.deepEqual(states, [{ job: 'bad', failing: [`0badc0de on client1, task web: ${PULL}`] }]);
});

test('a failed allocation is named; one already replaced, a stopped job and a running task are not', (t) => {
  const failed: TaskState = { ...retrying, State: 'dead', Failed: true };
  const states = jobStates(
    [job('web'), job('old', 'dead'), job('replaced')],
    [
      alloc('11111111', 'web', 'failed', failed),
      alloc('22222222', 'web', 'running', running),
      alloc('33333333', 'old', 'failed', failed),
      alloc('44444444', 'replaced', 'failed', failed, { NextAllocation: 'next' }),
      alloc('55555555', 'replaced', 'running', running),
    ],
  );
  t.deepEqual(states, [
    { job: 'web', failing: [`11111111 on client1, task web: ${PULL}`] },
    { job: 'replaced', failing: [] },
  ]);
});

test('a task that started after a failed pull, and a completed batch task, are not failing', (t) => {
  const recovered: TaskState = { ...running, Events: [...retrying.Events!, { Type: 'Started' }] };
  const done: TaskState = { State: 'dead', Failed: false, Events: [{ Type: 'Terminated' }] };
  t.deepEqual(
    jobStates(
      [job('a'), job('b')],
      [alloc('aaaaaaaa', 'a', 'running', recovered), alloc('bbbbbbbb', 'b', 'complete', done)],
    ),
    [
      { job: 'a', failing: [] },
      { job: 'b', failing: [] },
    ],
  );
});
