import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import test from 'ava';
import { parseCluster, type Cluster } from '../../src/config/load.ts';
import { NomadLabError } from '../../src/errors.ts';
import { allocStatus, jobLogTargets, readJobLogs } from '../../src/nomad/alloc.ts';
import type { Allocation, AllocationStub } from '../../src/nomad/allocations.ts';
import { openLabNomad } from '../../src/nomad/lab-nomad.ts';
import { DIRECT_REACH, sshDialer } from '../../src/verify/dialer.ts';
import { fixture } from '../remote/helpers/fixture.ts';
import { closedPort, startHttp, type FakeHttp } from '../verify/helpers/fake-http.ts';

// `alloc status` and `alloc logs` against a fake Nomad API on loopback addresses (standing in for the lab's),
// from this host and through an in-process ssh2 server's direct-tcpip channels.

const DOWN = '127.0.0.4';
const SERVER = '127.0.0.2';

function cluster(): Cluster {
  const text = `version: 1
name: alloc
network: { cidr: 10.9.0.0/24 }
nodes:
  - { name: server1, role: server, address: 10.9.0.4 }
  - { name: server2, role: server, address: 10.9.0.2 }
  - { name: client2, role: client, address: 10.9.0.12 }
`;
  const parsed = parseCluster(text, { displayName: 'cluster.yaml', baseDir: '/tmp' });
  const addresses = [DOWN, SERVER, '127.0.0.12'];
  const spec = {
    ...parsed.spec,
    network: { cidr: '127.0.0.0/8' },
    nodes: parsed.spec.nodes.map((n, i) => ({ ...n, address: addresses[i]! })),
  };
  return { file: '/tmp/cluster.yaml', ...parsed, spec };
}

const running = JSON.parse(readFileSync('test/fixtures/nomad/allocation-running.json', 'utf8')) as Allocation;
const stub: AllocationStub = { ...running };
delete (stub as Partial<Allocation>).AllocatedResources;
delete (stub as Partial<Allocation>).Resources;

const json = (res: ServerResponse, body: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** Nomad's API for one job, `whoami`, with one running allocation whose log says hello and, followed, stays open. */
function fakeNomad(): Promise<FakeHttp & { following: Set<ServerResponse> }> {
  const following = new Set<ServerResponse>();
  return startHttp(SERVER, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://nomad');
    const routes: Record<string, unknown> = {
      '/v1/status/leader': `${SERVER}:4647`,
      '/v1/jobs': [{ ID: 'whoami', Type: 'service', Status: 'running' }],
      '/v1/job/whoami': {
        ID: 'whoami',
        Type: 'service',
        TaskGroups: [{ Name: 'whoami', Count: 1, Tasks: [{ Name: 'whoami' }] }],
      },
      '/v1/job/whoami/allocations': [stub],
      '/v1/job/whoami/summary': {
        JobID: 'whoami',
        Summary: { whoami: { Queued: 0, Starting: 0, Running: 1, Failed: 0, Complete: 0, Lost: 0 } },
      },
      '/v1/job/whoami/evaluations': [],
      [`/v1/allocation/${running.ID}`]: running,
    };
    if (url.pathname in routes) return json(res, routes[url.pathname]);
    if (url.pathname === `/v1/client/fs/logs/${running.ID}` && url.searchParams.get('task') === 'whoami') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello\n');
      if (url.searchParams.get('follow') !== 'true') return res.end();
      following.add(res);
      res.on('close', () => following.delete(res));
      return;
    }
    res.writeHead(404).end(url.pathname.startsWith('/v1/job/') ? 'job not found' : 'not found');
  }).then((server) => Object.assign(server, { following }));
}

const direct = { reach: { ...DIRECT_REACH }, close: () => Promise.resolve() };

test('status: from the first server that answers, rows with ports and the last event', async (t) => {
  const nomad = await fakeNomad();
  t.teardown(() => nomad.close());
  // The first server's address has nothing on Nomad's port: the second one answers.
  const api = await openLabNomad(cluster(), { nomadPort: nomad.port, reach: direct, timeoutMs: 2000 });
  t.is(api.server, 'server2');
  const status = await allocStatus(api, 'whoami', cluster().spec.nodes);
  t.deepEqual(
    status.allocations.map((a) => [a.id, a.node, a.ports, a.tasks[0]?.lastEvent?.type]),
    [[running.ID, 'client2', [{ label: 'http', address: '10.77.0.12', port: 24567, to: 8080 }], 'Started']],
  );
  t.deepEqual(status.placementFailures, []);
});

test('status of a job that is not there: a NomadLabError naming the jobs there are', async (t) => {
  const nomad = await fakeNomad();
  t.teardown(() => nomad.close());
  const api = await openLabNomad(cluster(), { nomadPort: nomad.port, reach: direct, timeoutMs: 2000 });
  const error = await t.throwsAsync(allocStatus(api, 'whoam', []), { instanceOf: NomadLabError });
  t.is(error.message, 'no job "whoam" in the lab; its jobs: whoami');
});

test('no server answers: each one named with what came back, and what to do', async (t) => {
  const port = await closedPort(SERVER);
  const error = await t.throwsAsync(openLabNomad(cluster(), { nomadPort: port, reach: direct, timeoutMs: 2000 }), {
    instanceOf: NomadLabError,
  });
  t.is(
    error.message,
    [
      "no server of alloc answered Nomad's API (from this host):",
      `  server1: GET http://${DOWN}:${port}/v1/status/leader: ECONNREFUSED`,
      `  server2: GET http://${SERVER}:${port}/v1/status/leader: ECONNREFUSED`,
      'Is the lab up? `nomad-lab status` shows what runs.',
    ].join('\n'),
  );
});

test('logs through SSH: read to the end, and followed until aborted, the channel then closed', async (t) => {
  const nomad = await fakeNomad();
  const ssh = fixture();
  const sshd = await ssh.server();
  const remote = await ssh.connect(sshd, { node: 'server2' });
  t.teardown(async () => {
    await remote.close();
    await sshd.close();
    await nomad.close();
  });
  const reach = {
    reach: { via: 'ssh' as const, reason: 'test', dialer: () => sshDialer(remote) },
    close: () => Promise.resolve(),
  };
  const api = await openLabNomad(cluster(), { nomadPort: nomad.port, reach, timeoutMs: 2000 });
  t.is(api.server, 'server2');
  const targets = await jobLogTargets(api, 'whoami', {});
  t.deepEqual(targets, [{ id: running.ID, node: 'client2', task: 'whoami' }]);

  let out = '';
  const options = {
    type: 'stdout' as const,
    write: (text: string) => (out += text),
    onError: (e: Error) => t.fail(e.message),
  };
  t.is(await readJobLogs(api, targets, { ...options, follow: false }), 0);
  t.is(out, 'hello\n');

  out = '';
  const abort = new AbortController();
  const followed = readJobLogs(api, targets, { ...options, follow: true, signal: abort.signal });
  while (nomad.following.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const res of nomad.following) res.write('again\n');
  while (!out.includes('again')) await new Promise((resolve) => setTimeout(resolve, 20));
  abort.abort();
  t.is(await followed, 0);
  t.is(out, 'hello\nagain\n');
  while (nomad.following.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(new Set(sshd.forwarded), new Set([`${DOWN}:${nomad.port}`, `${SERVER}:${nomad.port}`]));
});
