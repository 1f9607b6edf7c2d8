import test from 'ava';
import { unhealthyGroups, type AllocationStub } from '../../src/nomad/allocations.ts';

const job = { ID: 'whoami', Type: 'service', TaskGroups: [{ Name: 'whoami', Count: 2 }] };
const alloc = (over: Partial<AllocationStub>): AllocationStub => ({
  ID: 'a',
  Name: 'whoami.whoami[0]',
  NodeName: 'client1',
  TaskGroup: 'whoami',
  DesiredStatus: 'run',
  ClientStatus: 'running',
  DeploymentStatus: { Healthy: true },
  TaskStates: {},
  ...over,
});

test('two healthy allocations satisfy a count of two', (t) => {
  t.deepEqual(unhealthyGroups(job, [alloc({}), alloc({ NodeName: 'client2' })]), []);
});

test('a stopped allocation and one not yet healthy do not count', (t) => {
  t.deepEqual(
    unhealthyGroups(job, [
      alloc({ DesiredStatus: 'stop' }),
      alloc({ DeploymentStatus: { Healthy: null } }),
      alloc({ NodeName: 'client2' }),
    ]),
    ['whoami.whoami 1/2 healthy'],
  );
});

test("a failed task's last event is reported", (t) => {
  const failed = alloc({
    ClientStatus: 'failed',
    DeploymentStatus: { Healthy: false },
    TaskStates: {
      whoami: {
        State: 'dead',
        Failed: true,
        Events: [{ Type: 'Driver Failure', DisplayMessage: 'Failed to pull `nomadlab/whoami:1`' }],
      },
    },
  });
  t.deepEqual(unhealthyGroups(job, [failed]), [
    'whoami.whoami 0/2 healthy (client1/whoami: Failed to pull `nomadlab/whoami:1`)',
  ]);
});

test('a batch job counts running allocations without deployment health', (t) => {
  t.deepEqual(
    unhealthyGroups({ ...job, Type: 'batch', TaskGroups: [{ Name: 'whoami', Count: 1 }] }, [
      alloc({ DeploymentStatus: null }),
    ]),
    [],
  );
});
