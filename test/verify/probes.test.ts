import test from 'ava';
import { VerifyError } from '../../src/errors.ts';
import { fetchConsulHealth } from '../../src/verify/consul-health.ts';
import { httpGet, httpStream, tcpConnect } from '../../src/verify/probes.ts';
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
  t.is(error.message, `GET ${url}: no answer within 200 ms`);
});

test('tcpConnect: refused, naming where', async (t) => {
  const port = await closedPort('127.0.0.1');
  const error = await t.throwsAsync(tcpConnect('127.0.0.1', port, 1000), { instanceOf: VerifyError });
  t.is(error.message, `TCP connect to 127.0.0.1:${port}: ECONNREFUSED`);
});

test('fetchConsulHealth: an error status or a body that is not a JSON list is named with the URL', async (t) => {
  const server = await startHttp('127.0.0.1', (req, res) => {
    if (req.url?.startsWith('/v1/health/checks/broken')) res.writeHead(500).end('rpc error: No cluster leader\nmore');
    else if (req.url?.startsWith('/v1/health/checks/odd')) res.writeHead(200).end('{"not":"a list"}');
    else res.writeHead(200).end('[]');
  });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}/v1/health/checks`;
  const broken = await t.throwsAsync(fetchConsulHealth('127.0.0.1', server.port, 'broken', 1000), {
    instanceOf: VerifyError,
  });
  t.is(broken.message, `GET ${base}/broken: HTTP 500: rpc error: No cluster leader`);
  const odd = await t.throwsAsync(fetchConsulHealth('127.0.0.1', server.port, 'odd', 1000), {
    instanceOf: VerifyError,
  });
  t.is(odd.message, `GET ${base}/odd: JSON that is not a list`);
  t.deepEqual(await fetchConsulHealth('127.0.0.1', server.port, 'fine', 1000), { checks: [], passingInstances: 0 });
});

test('httpStream: the body as it comes, to its end', async (t) => {
  const server = await startHttp('127.0.0.1', (_req, res) => {
    res.writeHead(200);
    res.write('one\n');
    setTimeout(() => res.end('two\n'), 50);
  });
  t.teardown(() => server.close());
  const chunks: string[] = [];
  await httpStream(`http://127.0.0.1:${server.port}/log`, 1000, (chunk) => chunks.push(chunk.toString()));
  t.deepEqual(chunks, ['one\n', 'two\n']);
});

test('httpStream: another status is a VerifyError with the first line of its body', async (t) => {
  const server = await startHttp('127.0.0.1', (_req, res) =>
    res.writeHead(404).end('task "web" not started yet. No logs available\nmore'),
  );
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${server.port}/log`;
  const error = await t.throwsAsync(
    httpStream(url, 1000, () => t.fail('no body for a 404')),
    { instanceOf: VerifyError },
  );
  t.is(error.message, `GET ${url}: HTTP 404: task "web" not started yet. No logs available`);
});

test('httpStream: the timeout bounds the wait for the head only; without one it waits; an abort ends it', async (t) => {
  const server = await startHttp('127.0.0.1', (req, res) => {
    if (req.url === '/quiet') return; // A followed log that is empty: not even the head yet.
    res.writeHead(200);
    res.write('first\n');
  });
  t.teardown(() => server.close());
  const quiet = `http://127.0.0.1:${server.port}/quiet`;
  t.is((await t.throwsAsync(httpStream(quiet, 100, () => undefined))).message, `GET ${quiet}: no answer within 100 ms`);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 300);
  await httpStream(quiet, undefined, () => undefined, {}, undefined, abort.signal);
  const chunks: string[] = [];
  const open = new AbortController();
  const followed = httpStream(
    `http://127.0.0.1:${server.port}/open`,
    100,
    (chunk) => {
      chunks.push(chunk.toString());
      setTimeout(() => open.abort(), 200);
    },
    {},
    undefined,
    open.signal,
  );
  await followed;
  t.deepEqual(chunks, ['first\n']);
});
