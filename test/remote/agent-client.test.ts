import { createServer as createHttp, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import { AgentClient, TOKEN_HEADER, type AgentEndpoint } from '../../src/remote/agent-client.ts';
import { sshDialer } from '../../src/remote/dialer.ts';
import { HttpError } from '../../src/remote/http.ts';
import { closedPort } from '../verify/helpers/fake-http.ts';
import { makeCa } from './helpers/certs.ts';
import { fixture } from './helpers/fixture.ts';

// The agents' API client against real loopback servers: plain and HTTPS (a CA made for the test, a client
// certificate asked for), from this host and through a real ssh2 session's channel.

const TOKEN = '6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Records each request, then answers as `answer` says. */
function recording(seen: Seen[], answer: (seen: Seen) => [number, string]): RequestListener {
  return (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const one = { method: request.method, url: request.url, headers: request.headers, body };
      seen.push(one);
      const [status, text] = answer(one);
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  };
}

async function listen(t: { teardown(fn: () => unknown): void }, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

const nomad = (port: number, more: Partial<AgentEndpoint> = {}): AgentEndpoint => ({
  name: 'Nomad API',
  host: '127.0.0.1',
  port,
  tokenHeader: TOKEN_HEADER.nomad,
  ...more,
});

const ok = (): [number, string] => [200, '{"ok":true}'];

test('a request carries the token in its header and the body as JSON; the answer is JSON, typed', async (t) => {
  const seen: Seen[] = [];
  const port = await listen(t, createHttp(recording(seen, ok)));
  const api = new AgentClient(nomad(port, { token: TOKEN }));
  const answer: { ok: boolean } = await api.post('/v1/jobs', { Job: { ID: 'whoami' } });
  t.deepEqual(answer, { ok: true });
  t.like(seen[0], { method: 'POST', url: '/v1/jobs', body: '{"Job":{"ID":"whoami"}}' });
  t.is(seen[0]!.headers['x-nomad-token'], TOKEN);
  t.is(seen[0]!.headers['content-type'], 'application/json');
  t.is(api.base, `http://127.0.0.1:${port}`);
});

test('without a token no token header is sent; withToken asks with another', async (t) => {
  const seen: Seen[] = [];
  const port = await listen(t, createHttp(recording(seen, ok)));
  const api = new AgentClient(nomad(port));
  await api.get('/v1/status/leader');
  await api.withToken('other').get('/v1/acl/token/self');
  t.is(seen[0]!.headers['x-nomad-token'], undefined);
  t.is(seen[1]!.headers['x-nomad-token'], 'other');
});

test('a refused request names the node, the API, the request and the answer, never the token', async (t) => {
  const seen: Seen[] = [];
  const port = await listen(
    t,
    createHttp(
      recording(seen, (s) => (s.url === '/v1/job/gone' ? [404, 'job not found'] : [403, 'Permission denied'])),
    ),
  );
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => {
    await remote.close();
    await server.close();
  });
  const api = new AgentClient(nomad(port, { token: TOKEN, dialer: sshDialer(remote) }));
  const error = await t.throwsAsync(api.get('/v1/jobs'), { instanceOf: NomadLabError });
  t.is(error.message, '[client1] Nomad API GET /v1/jobs: HTTP 403: Permission denied');
  t.deepEqual(await api.request('GET', '/v1/jobs'), { status: 403, text: 'Permission denied' });
  t.is(await api.find('/v1/job/gone'), undefined);
  t.deepEqual(server.forwarded, [`127.0.0.1:${port}`, `127.0.0.1:${port}`, `127.0.0.1:${port}`]);
  t.false(
    server.commands.some((c) => c.includes(TOKEN)),
    'no command ran on the node',
  );
});

test(
  'an agent that does not answer in time, or is not there: ' + 'HttpError naming the request and where from',
  async (t) => {
    const port = await listen(
      t,
      createHttp(() => undefined),
    );
    const slow = new AgentClient(nomad(port, { timeoutMs: 200 }));
    const late = await t.throwsAsync(slow.get('/v1/nodes'), { instanceOf: HttpError });
    t.is(late.message, `GET http://127.0.0.1:${port}/v1/nodes: no answer within 200 ms`);
    const nobody = new AgentClient(nomad(await closedPort('127.0.0.1'), { timeoutMs: 1000 }));
    const refused = await t.throwsAsync(nobody.get('/v1/nodes'), { instanceOf: HttpError });
    t.is(refused.reason, 'ECONNREFUSED');
  },
);

test('a body that is not JSON is an error that says so', async (t) => {
  const port = await listen(t, createHttp(recording([], () => [200, '<html>'])));
  const error = await t.throwsAsync(new AgentClient(nomad(port)).get('/v1/nodes'), { instanceOf: NomadLabError });
  t.is(error.message, 'Nomad API GET /v1/nodes: an answer that is not JSON');
});

test('stream: the body as it comes, to its end', async (t) => {
  const port = await listen(
    t,
    createHttp((_request, response) => {
      response.writeHead(200);
      response.write('one\n');
      setTimeout(() => response.end('two\n'), 50);
    }),
  );
  const chunks: string[] = [];
  await new AgentClient(nomad(port)).stream('/v1/client/fs/logs/x', (chunk) => chunks.push(chunk.toString()));
  t.deepEqual(chunks, ['one\n', 'two\n']);
});

/** An HTTPS agent that, like the lab's with verify_https_client, asks for a client certificate signed by its CA. */
async function httpsAgent(t: { teardown(fn: () => unknown): void }, seen: Seen[]) {
  const ca = makeCa();
  const serverPair = ca.sign('server.global.nomad', ['IP:127.0.0.1', 'DNS:server.global.nomad', 'DNS:localhost']);
  const client = ca.sign('cli.global.nomad', ['DNS:cli.global.nomad']);
  const server = createHttps(
    { ...serverPair, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
    recording(seen, ok),
  );
  const port = await listen(t, server);
  return { ca, client, port };
}

test(
  'HTTPS: the agent checked against the lab CA, the client certificate presented; ' + 'a wrong CA fails saying why',
  async (t) => {
    const seen: Seen[] = [];
    const { ca, client, port } = await httpsAgent(t, seen);
    const api = new AgentClient(nomad(port, { tls: { ca: ca.cert, ...client }, token: TOKEN }));
    t.is(api.base, `https://127.0.0.1:${port}`);
    t.deepEqual(await api.get('/v1/agent/self'), { ok: true });
    t.is(seen[0]!.headers['x-nomad-token'], TOKEN);

    const other = makeCa('another-ca');
    const wrong = new AgentClient(nomad(port, { tls: { ca: other.cert, ...client } }));
    const error = await t.throwsAsync(wrong.get('/v1/agent/self'), { instanceOf: HttpError });
    t.regex(error.message, new RegExp(`^GET https://127\\.0\\.0\\.1:${port}/v1/agent/self: TLS: .+ \\([A-Z_]+\\)$`));
    t.is(seen.length, 1, 'nothing reached an agent that was not trusted');
    const anonymous = new AgentClient(nomad(port, { tls: { ca: ca.cert } }));
    const refused = await t.throwsAsync(anonymous.get('/v1/agent/self'), { instanceOf: HttpError });
    t.regex(refused.reason, /^TLS: .*certificate required \(ERR_SSL_\w+\)$/);

    const named = new AgentClient(nomad(port, { tls: { ca: ca.cert, ...client, servername: 'nomad.example' } }));
    const misnamed = await t.throwsAsync(named.get('/v1/agent/self'), { instanceOf: HttpError });
    t.regex(misnamed.reason, /^TLS: .*nomad\.example.* \(ERR_TLS_CERT_ALTNAME_INVALID\)$/);
    const byName = new AgentClient(nomad(port, { tls: { ca: ca.cert, ...client, servername: 'server.global.nomad' } }));
    t.deepEqual(await byName.get('/v1/agent/self'), { ok: true });
  },
);

test('HTTPS through a node: TLS on the SSH channel, the certificate checked against the address asked', async (t) => {
  const seen: Seen[] = [];
  const { ca, client, port } = await httpsAgent(t, seen);
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => {
    await remote.close();
    await server.close();
  });
  const api = new AgentClient(
    nomad(port, { tls: { ca: ca.cert, ...client }, token: TOKEN, dialer: sshDialer(remote) }),
  );
  t.deepEqual(await api.put('/v1/system/gc'), { ok: true });
  t.like(seen[0], { method: 'PUT', url: '/v1/system/gc' });
  t.deepEqual(server.forwarded, [`127.0.0.1:${port}`]);

  const wrong = new AgentClient(
    nomad(port, { tls: { ca: makeCa('another-ca').cert, ...client }, dialer: sshDialer(remote) }),
  );
  const error = await t.throwsAsync(wrong.get('/v1/agent/self'), { instanceOf: HttpError });
  t.regex(error.message, new RegExp(`^GET https://127\\.0\\.0\\.1:${port}/v1/agent/self from client1: TLS: `));
});
