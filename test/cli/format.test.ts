import test from 'ava';
import { formatAllocStatus, formatStatus, summarize, table } from '../../src/cli/format.ts';
import { parseCluster } from '../../src/config/load.ts';
import type { LabStatus } from '../../src/status.ts';

test('a table cell is one line, its control characters escaped, and the columns still align', (t) => {
  t.is(
    table(
      ['JOB', 'STATUS'],
      [
        ['\u001b[2Jevil\nline', 'running'],
        ['web', 'dead'],
      ],
    ),
    ['JOB                      STATUS', '\\u001b[2Jevil\\u000aline  running', 'web                      dead'].join(
      '\n',
    ),
  );
});

test('status: names from the lab reach the table escaped', (t) => {
  const status = {
    machines: [{ node: 'server', state: 'running', detail: 'running' }],
    urls: { nomadUi: 'http://10.77.0.10:4646/ui/', consulUi: 'http://10.77.0.10:8500/ui/' },
    consul: [],
    nomad: {
      leader: '10.77.0.10:4647',
      servers: [],
      clients: [],
      jobs: [{ id: 'job\u001b]0;title\u0007', type: 'service', status: 'running' }],
      allocations: [],
    },
    problems: [],
  } as unknown as LabStatus;
  t.regex(formatStatus(status), /\njob\\u001b\]0;title\\u0007 {2}service {2}running$/m);
  // eslint-disable-next-line no-control-regex -- no raw control character may be left
  t.notRegex(formatStatus(status), /[\u0000-\u0009\u000b-\u001f]/);
});

test('the summary counts dns lookups when the file has some', (t) => {
  const text = 'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 }\n';
  const summary = (more: string) =>
    summarize({ file: 'x.yaml', ...parseCluster(`${text}${more}`, { displayName: 'x.yaml', baseDir: '.' }) });
  const base = '1 node (1 server+client), 0 jobs, 0 services to verify';
  t.is(summary(''), base);
  t.is(summary('dns: [{ name: a.node.consul, type: A }]\n'), `${base}, 1 DNS lookup`);
});

test(
  'alloc status: a row per allocation, its tasks below ' + 'it, then the placement failures; task messages escaped',
  (t) => {
    const text = formatAllocStatus({
      job: 'whoami-static',
      allocations: [
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
              lastEvent: { type: 'Driver Failure', message: 'pull denied\n\u001b[31m', time: '2025-06-01T10:14:41Z' },
            },
          ],
        },
        {
          id: '4c1d9a2e-6f0b-2a57-81d3-0f8e2b6c9a41',
          group: 'whoami',
          node: 'client2',
          address: '',
          ports: [],
          desired: 'stop',
          status: 'complete',
          tasks: [{ task: 'whoami', state: 'dead', failed: false, lastEvent: { type: 'Killed', message: '' } }],
        },
        {
          id: 'e0d7c9b2-0000-0000-0000-000000000000',
          group: 'whoami',
          node: 'client2',
          address: '10.77.0.12',
          ports: [],
          desired: 'run',
          status: 'pending',
          tasks: [{ task: 'whoami', state: 'pending', failed: false }],
        },
      ],
      placementFailures: ['whoami-static.whoami: 1 allocation not placed: Resources exhausted on 2 nodes'],
    });
    t.is(
      text,
      [
        'Allocations of whoami-static, newest first',
        'ID        GROUP   NODE     ADDRESS     PORTS                                           DESIRED  STATUS',
        'b81f0e77  whoami  client1  10.77.0.11  http=10.77.0.11:8080, metrics=10.77.0.11:27113  run      failed',
        '  task whoami: dead (failed), 2025-06-01T10:14:41Z Driver Failure: pull denied\\u000a\\u001b[31m',
        '4c1d9a2e  whoami  client2  -           -                                               stop     complete',
        '  task whoami: dead, Killed',
        'e0d7c9b2  whoami  client2  10.77.0.12  -                                               run      pending',
        '  task whoami: pending, no events yet',
        '',
        'Placement failures',
        '  whoami-static.whoami: 1 allocation not placed: Resources exhausted on 2 nodes',
      ].join('\n'),
    );
  },
);

test('alloc status: a job with no allocations says so, with its placement failures', (t) => {
  t.is(
    formatAllocStatus({
      job: 'web',
      allocations: [],
      placementFailures: ['web.web: 2 allocations queued, not placed yet'],
    }),
    'web: no allocations placed\n\nPlacement failures\n  web.web: 2 allocations queued, not placed yet',
  );
});
