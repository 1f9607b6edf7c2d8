import test, { type ExecutionContext } from 'ava';
import { parseCluster } from '../../src/config/load.ts';
import { verifyCluster } from '../../src/verify/verify-cluster.ts';
import type { VerifyOptions, VerifyService, VerifySpec } from '../../src/verify/checks.ts';
import { failingDialer, sshDialer, type Reach } from '../../src/verify/dialer.ts';
import { renderJunit, renderTable } from '../../src/verify/report.ts';
import { fixture } from '../remote/helpers/fixture.ts';
import type { TestServer } from '../remote/helpers/ssh-server.ts';
import {
  addrTarget,
  consulLike,
  startDnsNodes,
  type FakeDns,
  type Handler,
  type SrvTarget,
} from './helpers/fake-dns.ts';
import { closedPort, startConsulApi, startService, type CannedCheck, type FakeHttp } from './helpers/fake-http.ts';

// A whole verify run against a lab made of loopback servers: each node's Consul DNS at 127.0.0.x (one port for
// all, as in a lab), the service instances as HTTP servers, and Consul's health API on the server node.

const SERVER = '127.0.0.2';
const CLIENT = '127.0.0.3';
const NAME = 'whoami.service.consul';

interface LabOptions {
  /** Each node's DNS, given the records a healthy Consul would serve. */
  dns?: (address: string, records: Record<string, SrvTarget[]>) => Handler;
  dnsTcp?: boolean;
  /** HTTP status of the instance on the server and on the client. */
  statuses?: [number, number];
  checks?: CannedCheck[];
  service?: Partial<VerifyService>;
}

interface Lab {
  spec: VerifySpec;
  options: VerifyOptions;
  dns: FakeDns[];
  instances: FakeHttp[];
  consul: FakeHttp;
}

async function startLab(t: ExecutionContext, o: LabOptions = {}): Promise<Lab> {
  const [first, second] = o.statuses ?? [200, 200];
  const instances = [await startService(SERVER, first), await startService(CLIENT, second)];
  const records = {
    [NAME]: instances.map((i) => ({ target: addrTarget(i.address), port: i.port, address: i.address })),
  };
  const dns = await startDnsNodes(
    [SERVER, CLIENT],
    (address) => (o.dns ?? (() => consulLike(records)))(address, records),
    { tcp: o.dnsTcp ?? true },
  );
  const checks = o.checks ?? [
    { Node: 'server', Name: "Service 'whoami' check", Status: 'passing' },
    { Node: 'client1', Name: "Service 'whoami' check", Status: 'passing' },
  ];
  const consul = await startConsulApi(SERVER, { whoami: checks });
  t.teardown(() => Promise.all([...instances, ...dns, consul].map((s) => s.close())));
  return {
    spec: {
      nodes: [
        { name: 'server', role: 'server', address: SERVER },
        { name: 'client1', role: 'client', address: CLIENT },
      ],
      services: [{ name: 'whoami', count: 2, check: 'http', path: '/', ...o.service }],
    },
    // The services alone: the cluster checks have tests of their own (cluster-evaluate, and the real lab).
    options: { dnsPort: dns[0]!.port, consulHttpPort: consul.port, timeoutMs: 1000, cluster: false },
    dns,
    instances,
    consul,
  };
}

/** Both nodes' sessions to an in-process ssh2 server, and verify's reach through them. */
async function sshReach(t: ExecutionContext, reason: string): Promise<{ server: TestServer; reach: Reach }> {
  const ssh = fixture();
  const server = await ssh.server();
  const remotes = [await ssh.connect(server, { node: 'server' }), await ssh.connect(server, { node: 'client1' })];
  t.teardown(async () => {
    await Promise.all(remotes.map((r) => r.close()));
    await server.close();
  });
  const dialers = new Map(remotes.map((r) => [r.node, sshDialer(r)]));
  return { server, reach: { via: 'ssh', reason, dialer: (node) => dialers.get(node)! } };
}

const failures = (report: Awaited<ReturnType<typeof verifyCluster>>) =>
  report.results.filter((r) => !r.ok).map((r) => r.message);

test('two instances, asked of every node: every check passes, one JUnit testcase each', async (t) => {
  const lab = await startLab(t);
  const report = await verifyCluster(lab.spec, lab.options);
  const [a, b] = lab.instances.map((i) => i.port);
  t.deepEqual(failures(report), []);
  t.true(report.ok);
  t.deepEqual(
    report.results.map((r) => [r.name, r.actual]),
    [
      ['whoami: SRV from server', '2 instances'],
      ['whoami: targets from server', `127.0.0.2:${a} (server), 127.0.0.3:${b} (client1)`],
      ['whoami: SRV from client1', '2 instances'],
      ['whoami: targets from client1', `127.0.0.2:${a} (server), 127.0.0.3:${b} (client1)`],
      ...[[`127.0.0.2:${a} on server`], [`127.0.0.3:${b} on client1`]]
        .sort((x, y) => x[0]!.localeCompare(y[0]!, 'en', { numeric: true }))
        .map(([where]) => [`whoami: port ${where}`, 'HTTP 200']),
      ['whoami: Consul health', '2 passing instances, 2 of 2 checks passing'],
    ],
  );
  t.deepEqual(
    lab.dns.map((d) => d.hits),
    [[{ transport: 'udp', type: 'SRV', name: NAME }], [{ transport: 'udp', type: 'SRV', name: NAME }]],
  );
  t.deepEqual(
    lab.instances.map((i) => i.paths),
    [['/'], ['/']],
    'each distinct target is probed once',
  );
  t.deepEqual(lab.consul.paths.sort(), ['/v1/health/checks/whoami', '/v1/health/service/whoami?passing']);

  const junit = renderJunit(report);
  t.is(junit.match(/<testcase /g)?.length, 7);
  t.false(junit.includes('<failure'));
});

test('a wrong count from one node: the failure names the service, the node asked, expected and actual', async (t) => {
  const lab = await startLab(t, {
    dns: (address, records) => consulLike(address === CLIENT ? { [NAME]: records[NAME]!.slice(0, 1) } : records),
  });
  const report = await verifyCluster(lab.spec, lab.options);
  t.false(report.ok);
  t.deepEqual(failures(report), [
    `whoami: SRV ${NAME} from 127.0.0.3:${lab.dns[0]!.port} (client1): expected 2 instances, got 1 instance`,
  ]);
});

test('a target that resolves to an address of no node: a failure, and that address is not probed', async (t) => {
  const lab = await startLab(t, {
    dns: (_address, records) =>
      consulLike({
        [NAME]: [records[NAME]![0]!, { target: addrTarget('127.0.0.9'), port: 8080, address: '127.0.0.9' }],
      }),
  });
  const report = await verifyCluster(lab.spec, lab.options);
  t.false(report.ok);
  const port = lab.dns[0]!.port;
  t.deepEqual(failures(report), [
    `whoami: targets of ` +
      `SRV ${NAME} from 127.0.0.2:${port} (server): expected every target a node address, got ` +
      `7f000009.addr.dc1.consul is 127.0.0.9, not a node address`,
    `whoami: targets of ` +
      `SRV ${NAME} from 127.0.0.3:${port} (client1): expected every target a node address, got ` +
      `7f000009.addr.dc1.consul is 127.0.0.9, not a node address`,
  ]);
  t.false(report.results.some((r) => r.name.includes('127.0.0.9')));
});

test('truncated UDP answers: every node is asked again over TCP and the checks pass', async (t) => {
  const lab = await startLab(t, { dns: (_address, records) => consulLike(records, { truncateUdp: true }) });
  const report = await verifyCluster(lab.spec, lab.options);
  t.deepEqual(failures(report), []);
  for (const dns of lab.dns)
    t.deepEqual(
      dns.hits.map((h) => `${h.transport} ${h.type}`),
      ['udp SRV', 'tcp SRV'],
    );
});

test(
  'no A records in the additional section: each target ' + 'is resolved with an A query to the same server',
  async (t) => {
    const lab = await startLab(t, { dns: (_address, records) => consulLike(records, { additionals: false }) });
    const report = await verifyCluster(lab.spec, lab.options);
    t.deepEqual(failures(report), []);
    for (const dns of lab.dns) {
      t.deepEqual(dns.hits.map((h) => `${h.type} ${h.name}`).sort(), [
        'A 7f000002.addr.dc1.consul',
        'A 7f000003.addr.dc1.consul',
        `SRV ${NAME}`,
      ]);
    }
  },
);

test(
  'a node whose DNS never answers: a timeout naming the ' + 'service, the node and the server; the others still pass',
  async (t) => {
    const lab = await startLab(t, {
      dns: (address, records) => (address === CLIENT ? () => 'silent' : consulLike(records)),
    });
    const report = await verifyCluster(lab.spec, { ...lab.options, timeoutMs: 300 });
    t.deepEqual(failures(report), [
      `whoami: SRV ${NAME} from 127.0.0.3:${lab.dns[0]!.port} (client1): expected 2 instances, got no answer over ` +
        `UDP within 300 ms`,
    ]);
    t.false(
      report.results.some((r) => r.name === 'whoami: targets from client1'),
      'no targets to judge without an answer',
    );
  },
);

test('http check: an instance answering 500 fails, naming where', async (t) => {
  const lab = await startLab(t, { statuses: [200, 500], service: { path: '/health' } });
  const report = await verifyCluster(lab.spec, lab.options);
  const port = lab.instances[1]!.port;
  t.deepEqual(failures(report), [
    `whoami: http check of 127.0.0.3:${port} (client1): expected HTTP 200 from GET /health, got HTTP 500`,
  ]);
  t.deepEqual(lab.instances[1]!.paths, ['/health']);
});

test('tcp check: a connection to a live port passes, a closed one fails', async (t) => {
  const closed = await closedPort(CLIENT);
  const lab = await startLab(t, {
    service: { check: 'tcp' },
    dns: (_address, records) =>
      consulLike({ [NAME]: [records[NAME]![0]!, { target: addrTarget(CLIENT), port: closed, address: CLIENT }] }),
  });
  const report = await verifyCluster(lab.spec, lab.options);
  t.deepEqual(failures(report), [
    `whoami: tcp check of 127.0.0.3:${closed} (client1): expected a TCP connection, got ECONNREFUSED`,
  ]);
  t.is(report.results.find((r) => r.name.startsWith('whoami: port 127.0.0.2'))?.actual, 'connected');
});

test('check none: no port is probed', async (t) => {
  const lab = await startLab(t, { service: { check: 'none' } });
  const report = await verifyCluster(lab.spec, lab.options);
  t.true(report.ok);
  t.false(report.results.some((r) => r.name.includes(': port ')));
  t.deepEqual(
    lab.instances.map((i) => i.paths),
    [[], []],
  );
});

test('Consul health: a critical check fails with its node and output', async (t) => {
  const lab = await startLab(t, {
    checks: [
      { Node: 'server', Name: "Service 'whoami' check", Status: 'passing' },
      {
        Node: 'client1',
        Name: "Service 'whoami' check",
        Status: 'critical',
        Output: 'HTTP GET http://127.0.0.3:1/: 500 Internal Server Error',
      },
    ],
  });
  const report = await verifyCluster(lab.spec, lab.options);
  t.deepEqual(failures(report), [
    `whoami: health from Consul at ` +
      `http://127.0.0.2:${lab.consul.port} (server): expected 2 passing instances, ` +
      `every check passing, ` +
      (`got 1 passing instance, 1 of 2 checks passing; "Service 'whoami' check" critical on client1: HTTP GET ` +
        `http://127.0.0.3:1/: 500 Internal Server Error`),
  ]);
});

test('Consul HTTP API out of reach: the health check fails, naming the URL asked', async (t) => {
  const lab = await startLab(t);
  await lab.consul.close();
  const report = await verifyCluster(lab.spec, lab.options);
  const health = report.results.find((r) => r.name === 'whoami: Consul health')!;
  t.false(health.ok);
  t.is(health.node, 'server');
  t.is(
    health.message,
    `whoami: health from Consul at ` +
      `http://127.0.0.2:${lab.consul.port} (server): expected 2 passing instances, ` +
      `every check passing, got ECONNREFUSED`,
  );
});

test('a service expected with count 0 and absent from Consul passes', async (t) => {
  const lab = await startLab(t, { checks: [] });
  const spec = { ...lab.spec, services: [{ name: 'gone', count: 0, check: 'tcp' as const, path: '/' }] };
  const report = await verifyCluster(spec, lab.options);
  t.deepEqual(failures(report), []);
  t.is(report.results.find((r) => r.name === 'gone: SRV from server')?.actual, '0 instances');
});

test('a parsed cluster file is what verifyCluster takes', async (t) => {
  const lab = await startLab(t);
  const text = `version: 1
network: { cidr: 10.9.0.0/24 }
nodes:
  - { name: server, role: server, address: 10.9.0.2 }
  - { name: client1, role: client, address: 10.9.0.3 }
services:
  - { name: whoami, count: 2, check: http }
`;
  // Loopback stands in for the lab network, which the loader refuses in a file: the addresses move there after loading.
  const parsed = parseCluster(text, { displayName: 'cluster.yaml', baseDir: '.' }).spec;
  const spec = {
    ...parsed,
    network: { cidr: '127.0.0.0/8' },
    nodes: parsed.nodes.map((n, i) => ({ ...n, address: [SERVER, CLIENT][i]! })),
  };
  const report = await verifyCluster(spec, lab.options);
  t.deepEqual(failures(report), []);
  t.is(report.results.length, 7);
});

test(
  'through SSH: every query, probe and API call is a ' + 'connection the node opens; DNS over TCP; the report says so',
  async (t) => {
    const lab = await startLab(t);
    const { server, reach } = await sshReach(t, 'the test says so');

    const report = await verifyCluster(lab.spec, { ...lab.options, reach });
    t.deepEqual(failures(report), []);
    t.deepEqual(report.reach, { via: 'ssh', reason: 'the test says so' });
    t.true(report.results.every((r) => r.via === 'ssh'));
    t.deepEqual(
      lab.dns.map((d) => d.hits),
      [[{ transport: 'tcp', type: 'SRV', name: NAME }], [{ transport: 'tcp', type: 'SRV', name: NAME }]],
    );
    t.deepEqual(
      lab.instances.map((i) => i.paths),
      [['/'], ['/']],
    );
    const dnsPort = lab.dns[0]!.port;
    t.deepEqual(
      [...new Set(server.forwarded)].sort(),
      [
        `${SERVER}:${dnsPort}`,
        `${CLIENT}:${dnsPort}`,
        `${SERVER}:${lab.consul.port}`,
        ...lab.instances.map((i) => `${i.address}:${i.port}`),
      ].sort(),
    );
    t.regex(
      renderTable(report, { ascii: true }),
      new RegExp(
        [
          String.raw`^reached through each node's SSH session: the test says so\n\n`,
          String.raw`ok {3}whoami: SRV from server +2 instances \(\d+ ms, via ssh\)$`,
        ].join(''),
        'm',
      ),
    );
  },
);

const A_NAME = 'whoami.service.dc1.consul';
const TAGGED = 'http.whoami.service.consul';

/** Consul with lookups a workshop asks too: A with the datacenter, SRV with a tag (its targets left to A queries). */
function withLookups(records: Record<string, SrvTarget[]>): Handler {
  const srv = consulLike({ ...records, [TAGGED]: records[NAME]! }, { additionals: false });
  return (question, transport) => {
    if (question.type !== 'A' || question.name !== A_NAME) return srv(question, transport);
    return { answers: [SERVER, CLIENT].map((data) => ({ type: 'A', name: A_NAME, ttl: 0, class: 'IN', data })) };
  };
}

test('dns lookups: each asked of every node after the services; A node addresses, SRV targets resolved', async (t) => {
  const lab = await startLab(t, { dns: (_address, records) => withLookups(records) });
  const spec: VerifySpec = {
    ...lab.spec,
    dns: [
      { name: A_NAME, type: 'A', count: 2 },
      { name: TAGGED, type: 'SRV' },
      { name: 'gone.service.consul', type: 'A' },
    ],
  };
  const report = await verifyCluster(spec, lab.options);
  const [a, b] = lab.instances.map((i) => i.port);
  const port = lab.dns[0]!.port;
  const fromEach = (lookup: string, ok: boolean, actual: string) =>
    ['server', 'client1'].map((node) => [`dns: ${lookup} from ${node}`, ok, actual]);
  t.deepEqual(
    report.results.filter((r) => r.service === 'dns').map((r) => [r.name, r.ok, r.actual]),
    [
      ...fromEach(`${A_NAME} A`, true, '2 addresses: 127.0.0.2 (server), 127.0.0.3 (client1)'),
      ...fromEach(`${TAGGED} SRV`, true, `2 instances: 127.0.0.2:${a} (server), 127.0.0.3:${b} (client1)`),
      ...fromEach('gone.service.consul A', false, 'no A record, NXDOMAIN'),
    ],
  );
  const gone = 'expected at least 1 node address, got no A record, NXDOMAIN';
  t.deepEqual(failures(report), [
    `dns: A gone.service.consul from ${SERVER}:${port} (server): ${gone}`,
    `dns: A gone.service.consul from ${CLIENT}:${port} (client1): ${gone}`,
  ]);
  const health = report.results.findIndex((r) => r.name === 'whoami: Consul health');
  t.is(
    report.results.findIndex((r) => r.service === 'dns'),
    health + 1,
    'the lookups come after the services',
  );
  // The tagged SRV's targets are asked as A, as a service's are when the additional section leaves them out.
  const hits = [addrTarget(SERVER), addrTarget(CLIENT), A_NAME, 'gone.service.consul'].map((name) => `A ${name}`);
  hits.push(`SRV ${NAME}`, `SRV ${TAGGED}`);
  for (const dns of lab.dns) t.deepEqual([...new Set(dns.hits.map((h) => `${h.type} ${h.name}`))].sort(), hits.sort());
  const junit = renderJunit(report);
  t.is(junit.match(/<testcase classname="dns" /g)?.length, 6);
  const failed = /classname="dns" name="dns: gone\.service\.consul A from client1" time="[\d.]+">\n\s+<failure/;
  t.regex(junit, failed);
  const table = renderTable(report, { ascii: true }).split('\n');
  const line = (name: string) => table.find((l) => l.includes(name)) ?? '';
  t.regex(line(`${A_NAME} A from server`), /^ok {3}dns: \S+ A from server +2 addresses: .* \(\d+ ms\)$/);
  t.regex(
    line('gone.service.consul A from client1'),
    /^FAIL dns: \S+ A from client1 +expected at least 1 node address, got no A record, NXDOMAIN \(\d+ ms\)$/,
  );
});

test('dns lookups through SSH: asked over TCP on a connection each node opens', async (t) => {
  const lab = await startLab(t, { dns: (_address, records) => withLookups(records), service: { check: 'none' } });
  const { reach } = await sshReach(t, 'test');
  const spec: VerifySpec = { ...lab.spec, services: [], dns: [{ name: A_NAME, type: 'A', count: 2 }] };
  const report = await verifyCluster(spec, { ...lab.options, reach });
  t.deepEqual(failures(report), []);
  t.deepEqual(
    report.results.map((r) => [r.name, r.via]),
    [
      [`dns: ${A_NAME} A from server`, 'ssh'],
      [`dns: ${A_NAME} A from client1`, 'ssh'],
    ],
  );
  for (const dns of lab.dns) t.deepEqual(dns.hits, [{ transport: 'tcp', type: 'A', name: A_NAME }]);
});

test(
  'through SSH: a node without a session fails its checks, saying why; a refused port is named with the node ' +
    'it was tried from',
  async (t) => {
    const lab = await startLab(t, { service: { check: 'tcp' } });
    await lab.instances[1]!.close();
    const ssh = fixture();
    const server = await ssh.server();
    const remote = await ssh.connect(server, { node: 'server' });
    t.teardown(async () => {
      await remote.close();
      await server.close();
    });
    const reach: Reach = {
      via: 'ssh',
      reason: 'test',
      dialer: (node) => (node === 'server' ? sshDialer(remote) : failingDialer('ssh', node, 'no SSH session: refused')),
    };
    const report = await verifyCluster(lab.spec, { ...lab.options, reach });
    const port = lab.dns[0]!.port;
    const [, b] = lab.instances.map((i) => i.port);
    t.deepEqual(failures(report), [
      `whoami: SRV ${NAME} from ${CLIENT}:${port} (client1): expected 2 instances, got TCP error no SSH ` +
        `session: refused`,
      `whoami: tcp check of ${CLIENT}:${b} (client1): expected a TCP connection, got no SSH session: refused`,
    ]);
  },
);
