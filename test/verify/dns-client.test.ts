import test from 'ava';
import { VerifyError } from '../../src/errors.ts';
import { queryA, querySrv } from '../../src/verify/dns-client.ts';
import { addrTarget, consulLike, startDns } from './helpers/fake-dns.ts';
import { closedPort } from './helpers/fake-http.ts';

// The client against a real DNS server on loopback: UDP, TCP after truncation, silence, refusal.

const NAME = 'whoami.service.consul';
const records = {
  [NAME]: [
    { target: addrTarget('127.0.0.2'), port: 21001, address: '127.0.0.2' },
    { target: addrTarget('127.0.0.3'), port: 21002, address: '127.0.0.3' },
  ],
};

test('SRV over UDP: answers and the A records of the targets from the additional section', async (t) => {
  const dns = await startDns('127.0.0.1', 0, consulLike(records));
  t.teardown(() => dns.close());
  const response = await querySrv({ address: '127.0.0.1', port: dns.port }, NAME, { timeoutMs: 2000 });
  t.is(response.transport, 'udp');
  t.is(response.rcode, 'NOERROR');
  t.deepEqual(
    response.answers.map((a) => a.type === 'SRV' && [a.name, a.data.target, a.data.port]),
    [
      [NAME, '7f000002.addr.dc1.consul', 21001],
      [NAME, '7f000003.addr.dc1.consul', 21002],
    ],
  );
  t.deepEqual(
    response.additionals.map((a) => a.type === 'A' && [a.name, a.data]),
    [
      ['7f000002.addr.dc1.consul', '127.0.0.2'],
      ['7f000003.addr.dc1.consul', '127.0.0.3'],
    ],
  );
  t.deepEqual(dns.hits, [{ transport: 'udp', type: 'SRV', name: NAME }]);
});

test('a truncated UDP answer: the query is repeated over TCP, which answers in full', async (t) => {
  const dns = await startDns('127.0.0.1', 0, consulLike(records, { truncateUdp: true }));
  t.teardown(() => dns.close());
  const response = await querySrv({ address: '127.0.0.1', port: dns.port }, NAME, { timeoutMs: 2000 });
  t.is(response.transport, 'tcp');
  t.is(response.answers.length, 2);
  t.is(response.additionals.length, 2);
  t.deepEqual(
    dns.hits.map((h) => h.transport),
    ['udp', 'tcp'],
  );
});

test('A query, and NXDOMAIN is an answer, not an error', async (t) => {
  const dns = await startDns('127.0.0.1', 0, consulLike(records));
  t.teardown(() => dns.close());
  const server = { address: '127.0.0.1', port: dns.port };
  const a = await queryA(server, addrTarget('127.0.0.3'), { timeoutMs: 2000 });
  t.deepEqual(
    a.answers.map((r) => r.type === 'A' && r.data),
    ['127.0.0.3'],
  );
  const none = await querySrv(server, 'nothing.service.consul', { timeoutMs: 2000 });
  t.is(none.rcode, 'NXDOMAIN');
  t.deepEqual(none.answers, []);
});

test('a server that never answers: a timeout naming the server and the question, after retransmissions', async (t) => {
  const dns = await startDns('127.0.0.1', 0, () => 'silent', { tcp: false });
  t.teardown(() => dns.close());
  const error = await t.throwsAsync(
    querySrv({ address: '127.0.0.1', port: dns.port }, NAME, { timeoutMs: 400, retransmitMs: 150 }),
    {
      instanceOf: VerifyError,
    },
  );
  t.is(error.message, `SRV ${NAME} from 127.0.0.1:${dns.port}: no answer over UDP within 400 ms`);
  t.true(dns.hits.length >= 2, 'UDP is sent again while waiting');
});

test('nothing listening: refused at once, naming the server and the question', async (t) => {
  const port = await closedPort('127.0.0.1');
  const error = await t.throwsAsync(querySrv({ address: '127.0.0.1', port }, NAME, { timeoutMs: 5000 }), {
    instanceOf: VerifyError,
  });
  t.is(error.message, `SRV ${NAME} from 127.0.0.1:${port}: UDP error ECONNREFUSED`);
});

test('truncated over UDP and silent over TCP: the TCP timeout names the server and the question', async (t) => {
  const dns = await startDns('127.0.0.1', 0, (_q, transport) => (transport === 'udp' ? { flags: 1 << 9 } : 'silent'));
  t.teardown(() => dns.close());
  const error = await t.throwsAsync(querySrv({ address: '127.0.0.1', port: dns.port }, NAME, { timeoutMs: 300 }), {
    instanceOf: VerifyError,
  });
  t.is(
    error.message,
    `SRV ${NAME} from 127.0.0.1:${dns.port}: no answer over TCP (after a truncated UDP answer) within 300 ms`,
  );
});
