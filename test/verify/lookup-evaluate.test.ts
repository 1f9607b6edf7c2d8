import test from 'ava';
import type { Answer } from 'dns-packet';
import { VerifyError } from '../../src/errors.ts';
import { srvInstances, type SrvInstance } from '../../src/verify/evaluate.ts';
import {
  answeredAddresses,
  evaluateLookup,
  lookupExpectation,
  type LookupAnswer,
  type LookupAsk,
  type VerifyLookup,
} from '../../src/verify/lookup-evaluate.ts';
import { LAB_NODES } from './helpers/lab-nodes.ts';

// The cluster file's dns lookups judged: canned answers, as dns-packet decodes Consul's, in; a report line out.

const nodes = LAB_NODES;
const server = { address: '10.77.0.11', port: 8600 };
const A_NAME = 'todo-db.service.dc1.consul';
const SRV_NAME = 'http.todo-web.service.consul';
const ask = (lookup: VerifyLookup): LookupAsk => ({ lookup, node: 'client1', server });
const askA = (count?: number) => ask({ name: A_NAME, type: 'A', count });
const askSrv = (count?: number) => ask({ name: SRV_NAME, type: 'SRV', count });

const a = (name: string, address: string): Answer => ({ type: 'A', name, data: address });
const srv = (target: string, port: number): Answer => ({
  type: 'SRV',
  name: SRV_NAME,
  data: { target, port, priority: 1, weight: 1 },
});
const addresses = (answers: Answer[], rcode = 'NOERROR'): LookupAnswer => ({
  rcode,
  addresses: answeredAddresses(answers),
});
const instances = (list: SrvInstance[], rcode = 'NOERROR'): LookupAnswer => ({ rcode, instances: list });

test('answeredAddresses: every A record, through a CNAME too; other types left out', (t) => {
  const answers: Answer[] = [
    { type: 'CNAME', name: A_NAME, data: 'db.example.internal' },
    a('db.example.internal', '10.77.0.11'),
    a(A_NAME, '10.77.0.12'),
    { type: 'TXT', name: A_NAME, data: 'consul-network-segment=' },
  ];
  t.deepEqual(answeredAddresses(answers), ['10.77.0.11', '10.77.0.12']);
});

const expectations: [VerifyLookup, string][] = [
  [{ name: A_NAME, type: 'A', count: 1 }, '1 node address'],
  [{ name: A_NAME, type: 'A', count: 2 }, '2 node addresses'],
  [{ name: A_NAME, type: 'A' }, 'at least 1 node address'],
  [{ name: SRV_NAME, type: 'SRV', count: 2 }, '2 instances, each target a node address'],
  [{ name: SRV_NAME, type: 'SRV' }, 'at least 1 instance, each target a node address'],
];
for (const [lookup, expected] of expectations) {
  test(`expectation of ${lookup.type} count ${lookup.count ?? 'unset'}: ${expected}`, (t) => {
    t.is(lookupExpectation(lookup), expected);
  });
}

test('A: the answer a lab gives passes, named by lookup and node, each address with its node', (t) => {
  t.deepEqual(evaluateLookup(askA(1), addresses([a(A_NAME, '10.77.0.11')]), nodes, 3), {
    name: `dns: ${A_NAME} A from client1`,
    service: 'dns',
    node: 'client1',
    ok: true,
    expected: '1 node address',
    actual: '1 address: 10.77.0.11 (client1)',
    durationMs: 3,
  });
  const two = evaluateLookup(askA(), addresses([a(A_NAME, '10.77.0.11'), a(A_NAME, '10.77.0.12')]), nodes, 0);
  t.true(two.ok, 'no count: at least one');
  t.is(two.actual, '2 addresses: 10.77.0.11 (client1), 10.77.0.12 (client2)');
});

const asked = (type: string, name: string) => `dns: ${type} ${name} from 10.77.0.11:8600 (client1)`;
const failures: [string, LookupAsk, LookupAnswer | VerifyError, string, string][] = [
  ['NXDOMAIN', askA(1), addresses([], 'NXDOMAIN'), '1 node address', 'no A record, NXDOMAIN'],
  ['an empty answer', askA(), addresses([]), 'at least 1 node address', 'no A record, NOERROR'],
  [
    'one address too many',
    askA(1),
    addresses([a(A_NAME, '10.77.0.11'), a(A_NAME, '10.77.0.12')]),
    '1 node address',
    '2 addresses: 10.77.0.11 (client1), 10.77.0.12 (client2)',
  ],
  [
    "an address of no node (a container's)",
    askA(),
    addresses([a(A_NAME, '10.77.0.11'), a(A_NAME, '172.17.0.2')]),
    'at least 1 node address',
    '2 addresses: 10.77.0.11 (client1); 172.17.0.2 is not a node address',
  ],
  [
    'no answer',
    askA(1),
    new VerifyError(`A ${A_NAME} from 10.77.0.11:8600`, 'no answer over UDP within 2000 ms'),
    '1 node address',
    'no answer over UDP within 2000 ms',
  ],
  [
    'SRV NXDOMAIN (a tag no instance has)',
    askSrv(),
    instances([], 'NXDOMAIN'),
    'at least 1 instance, each target a node address',
    'no SRV record, NXDOMAIN',
  ],
  [
    'SRV one instance missing',
    askSrv(2),
    instances([{ target: '0a4d000b.addr.dc1.consul', port: 28312, addresses: ['10.77.0.11'] }]),
    '2 instances, each target a node address',
    '1 instance: 10.77.0.11:28312 (client1)',
  ],
  [
    'SRV a target unresolved, one of no node',
    askSrv(2),
    instances([
      { target: '0a4d000b.addr.dc1.consul', port: 1, addresses: ['10.77.0.11'] },
      { target: 'ac110002.addr.dc1.consul', port: 2, addresses: ['172.17.0.2'] },
      { target: 'gone.node.dc1.consul', port: 3, addresses: [], unresolved: 'no A record, NXDOMAIN' },
    ]),
    '2 instances, each target a node address',
    '3 instances: 10.77.0.11:1 (client1); ac110002.addr.dc1.consul is 172.17.0.2, not a node address; ' +
      'gone.node.dc1.consul unresolved (no A record, NXDOMAIN)',
  ],
];
for (const [title, ask, outcome, expected, actual] of failures) {
  test(`fails, naming the lookup, the node asked, expected and actual: ${title}`, (t) => {
    const result = evaluateLookup(ask, outcome, nodes, 1);
    t.false(result.ok);
    t.is(result.name, `dns: ${ask.lookup.name} ${ask.lookup.type} from client1`);
    t.is(result.message, `${asked(ask.lookup.type, ask.lookup.name)}: expected ${expected}, got ${actual}`);
  });
}

test('SRV: instances with their targets from the additional section pass, listed as host:port (node)', (t) => {
  const answer = {
    answers: [srv('0a4d000b.addr.dc1.consul', 28312), srv('0a4d000c.addr.dc1.consul', 31017)],
    additionals: [a('0a4d000b.addr.dc1.consul', '10.77.0.11'), a('0a4d000c.addr.dc1.consul', '10.77.0.12')],
  };
  const result = evaluateLookup(askSrv(2), instances(srvInstances(answer)), nodes, 2);
  t.true(result.ok);
  t.is(result.name, `dns: ${SRV_NAME} SRV from client1`);
  t.is(result.actual, '2 instances: 10.77.0.11:28312 (client1), 10.77.0.12:31017 (client2)');
  t.is(result.expected, '2 instances, each target a node address');
});
