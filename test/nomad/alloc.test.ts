import { readFileSync } from 'node:fs';
import test from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import {
  allocPorts,
  allocRows,
  LineLabeller,
  logsPath,
  logTargets,
  missingJobMessage,
  placementFailures,
  placementReasons,
  readJobLogs,
  type LogTarget,
} from '../../src/nomad/alloc.ts';
import type { Allocation, AllocationStub, Evaluation, JobSpecJson, JobSummary } from '../../src/nomad/allocations.ts';
import type { NomadReader } from '../../src/nomad/lab-nomad.ts';

// Nomad 1.11's answers, recorded in test/fixtures/nomad, turned into rows, reasons and log targets.

const fixture = <T>(name: string): T => JSON.parse(readFileSync(`test/fixtures/nomad/${name}.json`, 'utf8')) as T;
const running = fixture<Allocation>('allocation-running');
const failed = fixture<Allocation>('allocation-failed');
const NODES = [
  { name: 'client1', address: '10.77.0.11' },
  { name: 'client2', address: '10.77.0.12' },
];

test("ports: dynamic and reserved, each at its network's host address; `to` only where the task maps it", (t) => {
  t.deepEqual(allocPorts(running), [{ label: 'http', address: '10.77.0.12', port: 24567, to: 8080 }]);
  t.deepEqual(allocPorts(failed), [
    { label: 'http', address: '10.77.0.11', port: 8080 },
    { label: 'metrics', address: '10.77.0.11', port: 27113 },
  ]);
});

test(
  "ports: an allocation with only the older Resources networks, and one without an IP, at the node's " + 'address',
  (t) => {
    const old: Allocation = {
      ...running,
      AllocatedResources: null,
      Resources: { Networks: [{ IP: '', ReservedPorts: [{ Label: 'db', Value: 5432 }] }] },
    };
    t.deepEqual(allocPorts(old, '10.77.0.12'), [{ label: 'db', address: '10.77.0.12', port: 5432 }]);
    t.deepEqual(allocPorts({ ...running, AllocatedResources: { Shared: { Networks: [] } }, Resources: null }), []);
  },
);

test("rows: newest first, the node's lab address, each task's last event with its time", (t) => {
  t.deepEqual(allocRows([running, failed], NODES), [
    {
      id: 'b81f0e77-2c3d-91a8-5f46-e0d7c9b2a315',
      group: 'whoami',
      node: 'client1',
      address: '10.77.0.11',
      ports: [
        { label: 'http', address: '10.77.0.11', port: 8080 },
        { label: 'metrics', address: '10.77.0.11', port: 27113 },
      ],
      desired: 'run',
      status: 'failed',
      tasks: [
        {
          task: 'whoami',
          state: 'dead',
          failed: true,
          lastEvent: {
            type: 'Driver Failure',
            message:
              'Failed to pull `nomadlab/whoami:2`: Error response from daemon: pull access denied for nomadlab/whoami',
            time: '2025-06-01T10:14:41Z',
          },
        },
      ],
    },
    {
      id: '4c1d9a2e-6f0b-2a57-81d3-0f8e2b6c9a41',
      group: 'whoami',
      node: 'client2',
      address: '10.77.0.12',
      ports: [{ label: 'http', address: '10.77.0.12', port: 24567, to: 8080 }],
      desired: 'run',
      status: 'running',
      tasks: [
        {
          task: 'whoami',
          state: 'running',
          failed: false,
          lastEvent: { type: 'Started', message: 'Task started by client', time: '2025-06-01T10:12:03Z' },
        },
      ],
    },
  ]);
});

test('rows: a pending allocation has no task states yet; a node the file does not name has no address', (t) => {
  const pending: Allocation = { ...running, NodeName: 'elsewhere', ClientStatus: 'pending', TaskStates: null };
  const [row] = allocRows([pending], NODES);
  t.is(row!.address, '');
  t.deepEqual(row!.tasks, []);
  t.deepEqual(row!.ports, [{ label: 'http', address: '10.77.0.12', port: 24567, to: 8080 }]);
});

test(
  "rows: a failed task shows the event that says why (the driver's failure), " + 'not the Not Restarting after it',
  (t) => {
    const events = [
      { Type: 'Received', DisplayMessage: 'Task received by client', Time: 1e18 },
      { Type: 'Driver Failure', DisplayMessage: 'unable to apply caps: operation not permitted', Time: 2e18 },
      { Type: 'Not Restarting', DisplayMessage: 'Policy allows no restarts', Time: 3e18 },
    ];
    const failed: Allocation = {
      ...running,
      ClientStatus: 'failed',
      TaskStates: { whoami: { State: 'dead', Failed: true, Events: events } },
    };
    const [row] = allocRows([failed], NODES);
    t.like(row!.tasks[0], {
      failed: true,
      lastEvent: { type: 'Driver Failure', message: 'unable to apply caps: operation not permitted' },
    });
    const [alive] = allocRows(
      [{ ...failed, TaskStates: { whoami: { State: 'running', Failed: false, Events: events } } }],
      NODES,
    );
    t.like(alive!.tasks[0], { lastEvent: { type: 'Not Restarting' } });
  },
);

const evaluations = fixture<Evaluation[]>('evaluations-port-collision');
const queuedSummary = fixture<JobSummary>('job-summary-queued');

test(
  "placement failure: Nomad's reason from the newest evaluation that failed, the count from the job " + 'summary',
  (t) => {
    t.deepEqual(placementFailures('whoami-static', queuedSummary, evaluations), [
      'whoami-static.whoami: 1 allocation not placed: Resources exhausted on 2 nodes; ' +
        'Dimension "network: reserved port collision http=8080" exhausted on 2 nodes',
    ]);
  },
);

test('placement failure: none once nothing is queued and no evaluation is blocked, though an old one failed', (t) => {
  const placed: JobSummary = {
    JobID: 'whoami-static',
    Summary: { whoami: { ...queuedSummary.Summary!['whoami']!, Queued: 0 } },
  };
  t.deepEqual(
    placementFailures(
      'whoami-static',
      placed,
      evaluations.filter((e) => e.Status !== 'blocked'),
    ),
    [],
  );
});

test('placement failure: a blocked evaluation without a summary counts from the failed evaluation', (t) => {
  t.deepEqual(placementFailures('whoami-static', undefined, evaluations), [
    'whoami-static.whoami: 1 allocation not placed: Resources exhausted on 2 nodes; ' +
      'Dimension "network: reserved port collision http=8080" exhausted on 2 nodes',
  ]);
});

test('placement failure: queued allocations with no failed evaluation yet', (t) => {
  t.deepEqual(placementFailures('whoami-static', queuedSummary, []), [
    'whoami-static.whoami: 1 allocation queued, not placed yet',
  ]);
});

test(
  'placement reasons: filters, empty datacenters, exhausted classes ' + 'and quotas, in `nomad job status` words',
  (t) => {
    t.deepEqual(
      placementReasons({
        NodesEvaluated: 0,
        NodesAvailable: { dc2: 0, dc1: 3 },
        ClassFiltered: { gpu: 1 },
        ConstraintFiltered: { '${attr.kernel.name} = windows': 3 },
        NodesExhausted: 0,
        ClassExhausted: { small: 2 },
        DimensionExhausted: { memory: 1, cpu: 2 },
        QuotaExhausted: ['memory exhausted (2048 > 1024)'],
      }),
      [
        'No nodes were eligible for evaluation',
        'No nodes are available in datacenter "dc2"',
        'Class "gpu": 1 nodes excluded by filter',
        'Constraint "${attr.kernel.name} = windows": 3 nodes excluded by filter',
        'Class "small" exhausted on 2 nodes',
        'Dimension "cpu" exhausted on 2 nodes',
        'Dimension "memory" exhausted on 1 nodes',
        'Quota limit hit "memory exhausted (2048 > 1024)"',
      ],
    );
  },
);

test('a missing job: the message names it and the jobs there are', (t) => {
  t.is(
    missingJobMessage('whoam', [
      { ID: 'whoami', Type: 'service', Status: 'running' },
      { ID: 'todo', Type: 'service', Status: 'running' },
    ]),
    'no job "whoam" in the lab; its jobs: todo, whoami',
  );
  t.is(
    missingJobMessage('whoami', []),
    'no job "whoami" in the lab; it runs no jobs (`nomad-lab up` registers the cluster file\'s)',
  );
});

// Task selection: the job's groups and tasks, and its allocations (newest first).
const web: JobSpecJson = {
  ID: 'web',
  TaskGroups: [
    { Name: 'web', Count: 2, Tasks: [{ Name: 'nginx' }, { Name: 'exporter' }] },
    { Name: 'db', Count: 1, Tasks: [{ Name: 'postgres' }] },
  ],
};
const stub = (id: string, group: string, node: string, desired = 'run'): AllocationStub => ({
  ID: id,
  Name: `web.${group}[0]`,
  NodeName: node,
  TaskGroup: group,
  DesiredStatus: desired,
  ClientStatus: desired === 'run' ? 'running' : 'complete',
});
const allocs = [
  stub('aa11bb22-0000-0000-0000-000000000001', 'web', 'client1'),
  stub('aa11cc33-0000-0000-0000-000000000002', 'web', 'client2'),
  stub('dd44ee55-0000-0000-0000-000000000003', 'db', 'client1'),
  stub('ff667788-0000-0000-0000-000000000004', 'web', 'client2', 'stop'),
];

test('logs of a named task: every allocation to run whose group has it', (t) => {
  t.deepEqual(logTargets(web, allocs, { task: 'nginx' }), [
    { id: 'aa11bb22-0000-0000-0000-000000000001', node: 'client1', task: 'nginx' },
    { id: 'aa11cc33-0000-0000-0000-000000000002', node: 'client2', task: 'nginx' },
  ]);
});

test("logs without a task: the group's only one; a group with several asks to name one", (t) => {
  t.deepEqual(logTargets(web, allocs, { alloc: 'dd44' }), [
    { id: 'dd44ee55-0000-0000-0000-000000000003', node: 'client1', task: 'postgres' },
  ]);
  const error = t.throws(() => logTargets(web, allocs), { instanceOf: NomadLabError });
  t.is(
    error.message,
    'group web of web has 2 tasks (nginx, exporter): name one, e.g. `nomad-lab alloc logs web nginx`',
  );
});

test('logs of a task the job does not have: its tasks, per group', (t) => {
  const error = t.throws(() => logTargets(web, allocs, { task: 'redis' }), { instanceOf: NomadLabError });
  t.is(error.message, 'web has no task "redis"; its tasks: group web: nginx, exporter; group db: postgres');
  const inAlloc = t.throws(() => logTargets(web, allocs, { task: 'postgres', alloc: 'aa11bb' }), {
    instanceOf: NomadLabError,
  });
  t.is(inAlloc.message, 'allocation aa11bb22 (group web) has no task "postgres"; its tasks: nginx, exporter');
});

test('--alloc: a stopped allocation by its prefix; an unknown or ambiguous prefix lists the allocations', (t) => {
  t.deepEqual(logTargets(web, allocs, { alloc: 'FF66', task: 'nginx' }), [
    { id: 'ff667788-0000-0000-0000-000000000004', node: 'client2', task: 'nginx' },
  ]);
  t.is(
    t.throws(() => logTargets(web, allocs, { alloc: 'aa11' }))?.message,
    '--alloc aa11 names 2 allocations of web (aa11bb22 (client1, run/running), aa11cc33 (client2, ' +
      'run/running)): give more of the ID',
  );
  t.regex(
    t.throws(() => logTargets(web, allocs, { alloc: '0123' }))?.message ?? '',
    new RegExp(
      [
        String.raw`^web has no allocation whose ID starts with "0123"; `,
        String.raw`its allocations: aa11bb22 \(client1, run/running\), .*ff667788 \(client2, stop/complete\)$`,
      ].join(''),
    ),
  );
});

test('logs of a job with nothing to run: where to look instead', (t) => {
  t.is(
    t.throws(() => logTargets(web, [allocs[3]!]), { instanceOf: NomadLabError })?.message,
    'web has no allocation to run (1 allocation, all stopped): `nomad-lab alloc status web` lists them, and ' +
      "`--alloc ID` reads a stopped one's logs",
  );
});

test("logs path: Nomad's plain log from the start, following only when asked", (t) => {
  const target = { id: 'aa11bb22-0000-0000-0000-000000000001', node: 'client1', task: 'nginx' };
  t.is(
    logsPath(target, 'stdout', false),
    '/v1/client/fs/logs/aa11bb22-0000-0000-0000-000000000001?task=nginx&type=stdout&origin=start&offset=0&plain=true',
  );
  t.is(
    logsPath({ ...target, task: 'a b&c' }, 'stderr', true),
    '/v1/client/fs/logs/aa11bb22-0000-0000-0000-000000000001?task=a+b%26c&type=stderr' +
      '&origin=start&offset=0&plain=true&follow=true',
  );
});

test(
  'labelled lines: each whole line labelled, a line split ' + 'across chunks waits for its end, the rest at the end',
  (t) => {
    const labeller = new LineLabeller('[aa11bb22 client1]');
    t.is(labeller.push('GET / 200\nGET /he'), '[aa11bb22 client1] GET / 200\n');
    t.is(labeller.push('alth 200\n\n'), '[aa11bb22 client1] GET /health 200\n[aa11bb22 client1] \n');
    t.is(labeller.push('no newline'), '');
    t.is(labeller.end(), '[aa11bb22 client1] no newline\n');
    t.is(labeller.end(), '');
  },
);

test('labelled lines: a line longer than 64 KiB is passed on in parts', (t) => {
  const labeller = new LineLabeller('[x]');
  const out = labeller.push('a'.repeat(150 * 1024));
  t.deepEqual(
    out.split('\n').map((l) => l.length),
    [4 + 64 * 1024, 4 + 64 * 1024, 0],
  );
  t.is(labeller.end().length, 4 + 22 * 1024 + 1);
});

/** Nomad's logs endpoint as a fake: each allocation's log in chunks, or a refusal. */
function fakeLogs(logs: Record<string, readonly string[] | Error>): NomadReader & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    get: () => Promise.reject(new Error('not asked')),
    find: () => Promise.reject(new Error('not asked')),
    stream: async (path, onData) => {
      paths.push(path);
      const log = logs[/\/logs\/([^?]+)/.exec(path)![1]!]!;
      if (log instanceof Error) throw log;
      for (const chunk of log) {
        await new Promise((resolve) => setImmediate(resolve));
        onData(Buffer.from(chunk));
      }
    },
  };
}

const a: LogTarget = { id: 'aa11bb22-0000-0000-0000-000000000001', node: 'client1', task: 'nginx' };
const b: LogTarget = { id: 'aa11cc33-0000-0000-0000-000000000002', node: 'client2', task: 'nginx' };

async function readAll(api: NomadReader, targets: readonly LogTarget[], follow: boolean) {
  let out = '';
  const errors: string[] = [];
  const failures = await readJobLogs(api, targets, {
    type: 'stdout',
    follow,
    write: (text) => (out += text),
    onError: (e) => errors.push(e.message),
  });
  return { out, errors, failures };
}

test(
  'several logs, not followed: one after another, each ' + 'under a header, a last line without newline ended',
  async (t) => {
    const api = fakeLogs({ [a.id]: ['one\ntw', 'o'], [b.id]: ['three\n'] });
    t.deepEqual(await readAll(api, [a, b], false), {
      out:
        '==> [aa11bb22 client1] stdout of task nginx <==\none\ntwo\n\n==> [aa11cc33 client2] stdout of task ' +
        'nginx <==\nthree\n',
      errors: [],
      failures: 0,
    });
  },
);

test('several logs, followed: at once, every line labelled, whole', async (t) => {
  const api = fakeLogs({ [a.id]: ['one\ntw', 'o\n'], [b.id]: ['thr', 'ee\nfour'] });
  const { out } = await readAll(api, [a, b], true);
  t.deepEqual(out.split('\n').sort(), [
    '',
    '[aa11bb22 client1] one',
    '[aa11bb22 client1] two',
    '[aa11cc33 client2] four',
    '[aa11cc33 client2] three',
  ]);
  t.true(api.paths.every((p) => p.endsWith('&follow=true')));
});

test('one log: as it is, no header or label; a character split across chunks comes whole', async (t) => {
  const euro = Buffer.from('€\n');
  const api: NomadReader = {
    ...fakeLogs({}),
    stream: (_path, onData) =>
      // In an executor, so a throw from onData is a rejection, as from the real stream.
      new Promise((resolve) => {
        for (const chunk of [euro.subarray(0, 1), euro.subarray(1)]) onData(chunk);
        resolve();
      }),
  };
  t.deepEqual(await readAll(api, [a], false), { out: '€\n', errors: [], failures: 0 });
});

test('a log Nomad refuses is said with its allocation; the others are still read', async (t) => {
  const { VerifyError } = await import('../../src/errors.ts');
  const api = fakeLogs({
    [a.id]: new VerifyError(
      'GET https://10.77.0.10:4646/v1/client/fs/logs/aa11',
      'HTTP 404: task "nginx" not started yet. No logs available',
    ),
    [b.id]: ['up\n'],
  });
  t.deepEqual(await readAll(api, [a, b], false), {
    out: '==> [aa11bb22 client1] stdout of task nginx <==\n\n==> [aa11cc33 client2] stdout of task nginx <==\nup\n',
    errors: ['[aa11bb22 client1] stdout of task nginx: HTTP 404: task "nginx" not started yet. No logs available'],
    failures: 1,
  });
});
