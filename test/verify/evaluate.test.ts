import test from 'ava';
import type { Answer } from 'dns-packet';
import { VerifyError } from '../../src/errors.ts';
import {
  aRecords,
  evaluateCount,
  evaluateHealth,
  evaluatePort,
  evaluateTargets,
  srvInstances,
  type DnsAsk,
  type SrvInstance,
} from '../../src/verify/evaluate.ts';
import { LAB_NODES } from './helpers/lab-nodes.ts';

// The pure judgements, fed canned DNS answers and Consul JSON as a lab would return them.

const nodes = LAB_NODES;
const ask: DnsAsk = {
  service: 'whoami',
  node: 'client1',
  server: { address: '10.77.0.11', port: 8600 },
  name: 'whoami.service.consul',
};
const asked = 'SRV whoami.service.consul from 10.77.0.11:8600 (client1)';

const srv = (target: string, port: number): Answer => ({
  type: 'SRV',
  name: 'whoami.service.consul',
  data: { target, port, priority: 1, weight: 1 },
});
const a = (name: string, address: string): Answer => ({ type: 'A', name, data: address });

const consulAnswer = {
  answers: [srv('0a4d000b.addr.dc1.consul', 28312), srv('0a4d000c.addr.dc1.consul', 31017)],
  additionals: [
    a('0A4D000B.addr.dc1.consul.', '10.77.0.11'),
    a('0a4d000c.addr.dc1.consul', '10.77.0.12'),
    { type: 'TXT', name: 'x', data: 'consul-network-segment=' } as Answer,
  ],
};

test(
  'srvInstances: each SRV record with its target A records from the additional section (case and final dot ' +
    'ignored)',
  (t) => {
    t.deepEqual(srvInstances(consulAnswer), [
      { target: '0a4d000b.addr.dc1.consul', port: 28312, addresses: ['10.77.0.11'] },
      { target: '0a4d000c.addr.dc1.consul', port: 31017, addresses: ['10.77.0.12'] },
    ]);
    t.deepEqual(srvInstances({ answers: [srv('client1.node.dc1.consul', 80)], additionals: [] }), [
      { target: 'client1.node.dc1.consul', port: 80, addresses: [] },
    ]);
  },
);

test('count: as expected', (t) => {
  t.deepEqual(evaluateCount(ask, srvInstances(consulAnswer), 2, 4), {
    name: 'whoami: SRV from client1',
    service: 'whoami',
    node: 'client1',
    ok: true,
    expected: '2 instances',
    actual: '2 instances',
    durationMs: 4,
  });
});

const countCases: [string, SrvInstance[] | VerifyError, number, string, string][] = [
  [
    'one missing',
    srvInstances({ ...consulAnswer, answers: consulAnswer.answers.slice(0, 1) }),
    2,
    'expected 2 instances',
    'got 1 instance',
  ],
  ['one too many', srvInstances(consulAnswer), 1, 'expected 1 instance', 'got 2 instances'],
  ['job stopped', [], 2, 'expected 2 instances', 'got 0 instances'],
  [
    'no answer',
    new VerifyError('SRV whoami.service.consul from 10.77.0.11:8600', 'no answer over UDP within 2000 ms'),
    2,
    'expected 2 instances',
    'got no answer over UDP within 2000 ms',
  ],
];
for (const [title, outcome, count, expected, got] of countCases) {
  test(`count fails, naming service, node, expected and actual: ${title}`, (t) => {
    const result = evaluateCount(ask, outcome, count, 1);
    t.false(result.ok);
    t.is(result.message, `whoami: ${asked}: ${expected}, ${got}`);
  });
}

test('targets: node addresses pass and are listed with their nodes', (t) => {
  const result = evaluateTargets(ask, srvInstances(consulAnswer), nodes, 0);
  t.true(result.ok);
  t.is(result.name, 'whoami: targets from client1');
  t.is(result.actual, '10.77.0.11:28312 (client1), 10.77.0.12:31017 (client2)');
});

test('targets: an address that is not a node, and a target without an address, fail', (t) => {
  const instances: SrvInstance[] = [
    { target: '0a4d000b.addr.dc1.consul', port: 1, addresses: ['10.77.0.11'] },
    { target: 'ac110002.addr.dc1.consul', port: 2, addresses: ['172.17.0.2'] },
    { target: 'gone.node.dc1.consul', port: 3, addresses: [], unresolved: 'no A record, NXDOMAIN' },
  ];
  const result = evaluateTargets(ask, instances, nodes, 0);
  t.false(result.ok);
  t.is(
    result.message,
    `whoami: targets of ${asked}: expected every target a node address, ` +
      ('got ac110002.addr.dc1.consul is 172.17.0.2, not a node address; gone.node.dc1.consul unresolved (no A ' +
        'record, NXDOMAIN)'),
  );
});

test('targets: none is fine (a count of 0 is judged by the count check)', (t) => {
  const result = evaluateTargets(ask, [], nodes, 0);
  t.true(result.ok);
  t.is(result.actual, 'no targets');
});

const endpoint = { service: 'whoami', node: 'client2', address: '10.77.0.12', port: 31017 };
const portCases = [
  { title: 'tcp connected', check: 'tcp', outcome: { connected: true }, ok: true, actual: 'connected' },
  { title: 'http 200', check: 'http', outcome: { status: 200 }, ok: true, actual: 'HTTP 200' },
  { title: 'http 500', check: 'http', outcome: { status: 500 }, ok: false, actual: 'HTTP 500' },
  {
    title: 'tcp refused',
    check: 'tcp',
    outcome: new VerifyError('TCP connect to 10.77.0.12:31017', 'ECONNREFUSED'),
    ok: false,
    actual: 'ECONNREFUSED',
  },
] as const;
for (const c of portCases) {
  test(`port: ${c.title}`, (t) => {
    const result = evaluatePort(endpoint, c.check, '/health', c.outcome, 3);
    t.is(result.name, 'whoami: port 10.77.0.12:31017 on client2');
    t.is(result.ok, c.ok);
    t.is(result.actual, c.actual);
    if (!c.ok) {
      const expected = c.check === 'tcp' ? 'a TCP connection' : 'HTTP 200 from GET /health';
      t.is(
        result.message,
        `whoami: ${c.check} check of 10.77.0.12:31017 (client2): expected ${expected}, got ${c.actual}`,
      );
    }
  });
}

const healthAsk = { service: 'whoami', node: 'server', api: 'http://10.77.0.10:8500' };
const check = (Node: string, Status: string, Output?: string) => ({
  Node,
  CheckID: `c-${Node}`,
  Name: "Service 'whoami' check",
  Status,
  Output,
});

test('health: every check passing and the expected passing instances', (t) => {
  const result = evaluateHealth(
    healthAsk,
    2,
    { checks: [check('client1', 'passing'), check('client2', 'passing')], passingInstances: 2 },
    5,
  );
  t.true(result.ok);
  t.is(result.expected, '2 passing instances, every check passing');
  t.is(result.actual, '2 passing instances, 2 of 2 checks passing');
});

test('health: a critical check is named with its node and the first line of its output', (t) => {
  const checks = [
    check('client1', 'passing'),
    check('client2', 'critical', 'Get "http://10.77.0.12:31017/": dial tcp: connection refused\nmore'),
  ];
  const result = evaluateHealth(healthAsk, 2, { checks, passingInstances: 1 }, 5);
  t.false(result.ok);
  t.is(
    result.message,
    'whoami: health from Consul at http://10.77.0.10:8500 (server): expected 2 passing instances, every check ' +
      'passing, ' +
      (`got 1 passing instance, 1 of 2 checks passing; "Service 'whoami' check" critical on client2: Get ` +
        `"http://10.77.0.12:31017/": dial tcp: connection refused`),
  );
});

test('health: the API out of reach', (t) => {
  const result = evaluateHealth(
    healthAsk,
    1,
    new VerifyError('GET http://10.77.0.10:8500/v1/health/checks/whoami', 'ECONNREFUSED'),
    1,
  );
  t.false(result.ok);
  t.is(result.actual, 'ECONNREFUSED');
});

test('a target whose A record Consul repeats (once per SRV answer) has one address', (t) => {
  const target = '0a4d000c.addr.dc1.consul';
  const a = { type: 'A', name: target, data: '10.77.0.12' } as const;
  t.deepEqual(
    aRecords(
      [a, { type: 'TXT', name: 'client2.node.dc1.consul', data: ['consul-version=1.22.7'] } as never, a],
      target,
    ),
    ['10.77.0.12'],
  );
});
