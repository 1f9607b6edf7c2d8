import test from 'ava';
import { VerifyError } from '../../src/errors.ts';
import { fetchConsulHealth } from '../../src/verify/consul-health.ts';
import { httpGet, tcpConnect } from '../../src/verify/probes.ts';
import { closedPort, startHttp } from './helpers/fake-http.ts';

// Probes against real loopback servers: what comes back, and what each failure says.

test('httpGet: any status is an answer', async (t) => {
  const server = await startHttp('127.0.0.1', (_req, res) => res.writeHead(503).end('down'));
  t.teardown(() => server.close());
  t.deepEqual(await httpGet(`http://127.0.0.1:${server.port}/x`, 1000), { status: 503, body: 'down' });
});

test('httpGet: a server that never answers times out, naming the URL', async (t) => {
  const server = await startHttp('127.0.0.1', () => undefined);
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${server.port}/slow`;
  const error = await t.throwsAsync(httpGet(url, 200), { instanceOf: VerifyError });
  t.is(error!.message, `GET ${url}: no answer within 200 ms`);
});

test('tcpConnect: refused, naming where', async (t) => {
  const port = await closedPort('127.0.0.1');
  const error = await t.throwsAsync(tcpConnect('127.0.0.1', port, 1000), { instanceOf: VerifyError });
  t.is(error!.message, `TCP connect to 127.0.0.1:${port}: ECONNREFUSED`);
});

test('fetchConsulHealth: an error status or a body that is not a JSON list is named with the URL', async (t) => {
  const server = await startHttp('127.0.0.1', (req, res) => {
    if (req.url?.startsWith('/v1/health/checks/broken')) res.writeHead(500).end('rpc error: No cluster leader\nmore');
    else if (req.url?.startsWith('/v1/health/checks/odd')) res.writeHead(200).end('{"not":"a list"}');
    else res.writeHead(200).end('[]');
  });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}/v1/health/checks`;
  const broken = await t.throwsAsync(fetchConsulHealth('127.0.0.1', server.port, 'broken', 1000), { instanceOf: VerifyError });
  t.is(broken!.message, `GET ${base}/broken: HTTP 500: rpc error: No cluster leader`);
  const odd = await t.throwsAsync(fetchConsulHealth('127.0.0.1', server.port, 'odd', 1000), { instanceOf: VerifyError });
  t.is(odd!.message, `GET ${base}/odd: JSON that is not a list`);
  t.deepEqual(await fetchConsulHealth('127.0.0.1', server.port, 'fine', 1000), { checks: [], passingInstances: 0 });
});
