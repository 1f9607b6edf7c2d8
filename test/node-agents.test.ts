import {
  createServer as createHttp,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { NomadApi } from '../src/nomad/api.ts';
import { nodeConsulJoin, nodeConsulMembers } from '../src/node-agents.ts';
import type { AclTokens } from '../src/state/acl-tokens.ts';
import type { LabSecurity } from '../src/state/security.ts';
import { makeCa } from './remote/helpers/certs.ts';
import { fixture } from './remote/helpers/fixture.ts';

// A node's own agents as the steps ask them: through its SSH session (a real ssh2 server, whose 8500, 8501 and
// 4646 are loopback servers of the test) at 127.0.0.1, with the lab's management tokens and client certificate.

const ACL = { consulManagement: 'consul-secret', nomadManagement: 'nomad-secret' } as AclTokens;

const MEMBERS = [
  { Name: 'server', Addr: '10.77.0.10', Port: 8301, Status: 1, Tags: { role: 'consul' } },
  { Name: 'client1', Addr: '10.77.0.11', Port: 8301, Status: 4, Tags: { role: 'node' } },
];

interface Seen {
  line: string;
  headers: IncomingHttpHeaders;
}

async function agents(t: { teardown(fn: () => unknown): void }, tls?: { cert: string; key: string; ca: string }) {
  const seen: Seen[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    seen.push({ line: `${request.method} ${request.url}`, headers: request.headers });
    const body = request.url === '/v1/agent/members' ? MEMBERS : request.url === '/v1/status/leader' ? 'x:4647' : '';
    response.writeHead(200, { 'content-type': 'application/json' }).end(body === '' ? '' : JSON.stringify(body));
  };
  const servers = [0, 1].map(
    () =>
      (tls
        ? createHttps({ ...tls, requestCert: true, rejectUnauthorized: true }, listener)
        : createHttp(listener)) as unknown as Server,
  );
  const [consul, nomad] = await Promise.all(
    servers.map(async (server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    }),
  );
  const f = fixture();
  const ssh = await f.server({ ports: { [tls ? 8501 : 8500]: consul!, 4646: nomad! } });
  const remote = await f.connect(ssh);
  t.teardown(async () => {
    await remote.close();
    await ssh.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  return { seen, ssh, remote };
}

test(
  "Consul's members and a join, through the node's channel to 127.0.0.1:8500, " + 'with the management token',
  async (t) => {
    const { seen, ssh, remote } = await agents(t);
    t.deepEqual(await nodeConsulMembers(remote, { acl: ACL }), [
      { name: 'server', address: '10.77.0.10:8301', status: 'alive', type: 'server' },
      { name: 'client1', address: '10.77.0.11:8301', status: 'failed', type: 'client' },
    ]);
    await nodeConsulJoin(remote, { acl: ACL }, ['10.77.0.10', '10.77.0.20']);
    t.deepEqual(seen.map((s) => s.line).sort(), [
      'GET /v1/agent/members',
      'PUT /v1/agent/join/10.77.0.10',
      'PUT /v1/agent/join/10.77.0.20',
    ]);
    t.true(seen.every((s) => s.headers['x-consul-token'] === 'consul-secret'));
    t.true(ssh.forwarded.every((f) => f === '127.0.0.1:8500'));
    t.deepEqual(ssh.commands, [], 'no command runs on the node');
  },
);

test("with TLS: HTTPS on 8501 and 4646, the lab CA trusted, nomad-lab's client certificate presented", async (t) => {
  const ca = makeCa();
  const node = ca.sign('server.dc1.consul', ['IP:127.0.0.1', 'DNS:localhost']);
  const cli = ca.sign('cli.client.dc1.consul', ['DNS:cli.client.dc1.consul']);
  const { seen, ssh, remote } = await agents(t, { ...node, ca: ca.cert });
  const security: LabSecurity = { acl: ACL, tls: { ca: ca.cert, nodes: new Map(), cli } };
  t.is((await nodeConsulMembers(remote, security)).length, 2);
  const nomad = new NomadApi(remote, security);
  t.is(nomad.base, 'https://127.0.0.1:4646');
  t.is(await nomad.get<string>('/v1/status/leader'), 'x:4647');
  t.is(seen.find((s) => s.line === 'GET /v1/status/leader')?.headers['x-nomad-token'], 'nomad-secret');
  t.deepEqual(ssh.forwarded, ['127.0.0.1:8501', '127.0.0.1:4646']);
});
