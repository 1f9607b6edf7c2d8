import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { NomadLabError } from '../../src/errors.ts';
import { AgentApi, consulCli, nomadAccess } from '../../src/remote/agent-api.ts';
import type { AclTokens } from '../../src/state/acl-tokens.ts';
import { fixture } from './helpers/fixture.ts';

// An agent's API through a node's shell and curl (the real ones, over a real ssh2 session): the token reaches
// the API as a header, from stdin, and never the command line.

const TOKEN = '6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

async function lab(t: { teardown(fn: () => unknown): void }, status = 200) {
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const http = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      response.writeHead(status).end(status === 200 ? '{"ok":true}' : 'Permission denied');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const f = fixture();
  const server = await f.server();
  const remote = await f.connect(server);
  t.teardown(async () => {
    await remote.close();
    await server.close();
    await new Promise((resolve) => http.close(resolve));
  });
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { seen, server, remote, base };
}

test('a request carries the token as a header and the body from stdin; the command line holds neither', async (t) => {
  const { seen, server, remote, base } = await lab(t);
  const api = new AgentApi(remote, { ...nomadAccess({ acl: { nomadManagement: TOKEN } as AclTokens }), base });
  t.deepEqual(await api.post('/v1/jobs', { Job: { ID: 'whoami' } }), { ok: true });
  t.like(seen[0], { method: 'POST', url: '/v1/jobs', body: '{"Job":{"ID":"whoami"}}' });
  t.is(seen[0]!.headers['x-nomad-token'], TOKEN);
  t.false(server.commands.some((c) => c.includes(TOKEN) || c.includes('whoami')));
});

test('without a token no token header is sent', async (t) => {
  const { seen, remote, base } = await lab(t);
  await new AgentApi(remote, { ...nomadAccess(), base }).get('/v1/status/leader');
  t.is(seen[0]!.headers['x-nomad-token'], undefined);
});

test('a refused request names the node, the API, the request and the answer, never the token', async (t) => {
  const { remote, base } = await lab(t, 403);
  const api = new AgentApi(remote, { ...nomadAccess({ acl: { nomadManagement: TOKEN } as AclTokens }), base });
  const error = await t.throwsAsync(api.get('/v1/jobs'), { instanceOf: NomadLabError });
  t.is(error.message, '[client1] Nomad API GET /v1/jobs: HTTP 403: Permission denied');
  t.deepEqual(await api.request('GET', '/v1/jobs'), { status: 403, text: 'Permission denied' });
});

test(
  'consulCli: plain `consul ARGS` for an open lab; with ACLs the token on stdin, with TLS the HTTPS address ' +
    'and certificate',
  (t) => {
    t.deepEqual(consulCli(['members']), { command: ['consul', 'members'], options: {} });
    const secured = consulCli(['members'], { acl: { consulManagement: TOKEN } as AclTokens, tls: {} });
    t.false(JSON.stringify(secured.command).includes(TOKEN));
    t.is(secured.options.stdin, `${TOKEN}\n`);
    t.true(secured.options.sudo);
    t.regex(
      (secured.command as { script: string }).script,
      /CONSUL_HTTP_ADDR=https:\/\/127\.0\.0\.1:8501 CONSUL_CACERT=\/etc\/consul\.d\/tls-ca\.pem/,
    );
  },
);
