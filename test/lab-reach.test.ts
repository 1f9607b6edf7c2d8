import { PassThrough } from 'node:stream';
import test from 'ava';
import { parseCluster, type Cluster } from '../src/config/load.ts';
import { labReach } from '../src/lab-reach.ts';
import type { Remote } from '../src/remote/remote.ts';
import { getJson } from '../src/verify/http-json.ts';
import { fixture } from './remote/helpers/fixture.ts';
import { closedPort, startHttp } from './verify/helpers/fake-http.ts';

// Which way verify reaches a lab: Consul's HTTP API on loopback addresses stands in for the lab addresses,
// an in-process ssh2 server for the hosts' sshd.

const SERVER = '127.0.0.2';
const CLIENT = '127.0.0.3';

function cluster(dir: string, provider: string, via: string): Cluster {
  const text =
    `version: 1
name: reach
network: { cidr: 10.9.0.0/24 }
provider: ${provider}
nodes:
  - { name: server, role: server, address: 10.9.0.2${provider.includes('ssh') ? ', ssh: { host: 127.0.0.1 }' : ''} }
  - { name: client1, role: client, address: ` +
    `10.9.0.3${provider.includes('ssh') ? ', ssh: { host: 127.0.0.1, port: 1 }' : ''} }
verify: { via: ${via} }
`;
  // Loopback stands in for the lab network, which the loader refuses in a file: the addresses move there after loading.
  const parsed = parseCluster(text, { displayName: 'cluster.yaml', baseDir: dir });
  const spec = {
    ...parsed.spec,
    network: { cidr: '127.0.0.0/8' },
    nodes: parsed.spec.nodes.map((n, i) => ({ ...n, address: [SERVER, CLIENT][i]! })),
  };
  return { file: `${dir}/cluster.yaml`, ...parsed, spec };
}

/** Consul's /v1/agent/self as `name`'s agent, or a 404 for every path (a proxy that accepts any connection). */
const consul = (address: string, name?: string) =>
  startHttp(address, (_req, res) => {
    if (name === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Config: { NodeName: name } }));
  });

test("vagrant, auto: direct, without asking anything (the lab network is this host's own)", async (t) => {
  const { reach, close } = await labReach(cluster('/tmp', '{ type: vagrant }', 'auto'), {
    consulPort: await closedPort(SERVER),
  });
  t.is(reach.via, 'direct');
  t.is(reach.reason, "the lab network is this host's own (Vagrant)");
  t.is(reach.dialer('server').via, 'direct');
  await close();
});

test("existing hosts, auto: direct when a node's Consul answers as itself at its lab address", async (t) => {
  const api = await consul(SERVER, 'server');
  t.teardown(() => api.close());
  const { reach, close } = await labReach(cluster('/tmp', '{ type: ssh }', 'auto'), { consulPort: api.port });
  t.is(reach.via, 'direct');
  t.is(reach.reason, `server's Consul answered at ${SERVER}:${api.port} from this host`);
  await close();
});

test(
  'existing hosts, auto: a 404 from whatever accepted the connection is no answer: through SSH, a node ' +
    'without a session saying why',
  async (t) => {
    const ssh = fixture();
    const sshd = await ssh.server();
    const proxy = await consul(SERVER);
    const agent = await consul(CLIENT, 'client1');
    t.teardown(async () => {
      await Promise.all([proxy.close(), agent.close()]);
      await sshd.close();
    });
    const spec = cluster(ssh.dir, `{ type: ssh, port: ${sshd.port}, key: ${ssh.keyPath} }`, 'auto');
    const { reach, close } = await labReach(spec, { consulPort: proxy.port, sshDeadlineMs: 500 });
    t.teardown(close);
    t.is(reach.via, 'ssh');
    t.regex(
      reach.reason,
      new RegExp(
        `^no lab address answered from this host ` +
          `\\(Consul at ${SERVER}:${proxy.port}, ${CLIENT}:${proxy.port}, 1500 ms each\\)$`,
      ),
    );
    // Through the server's session, a request reaches what the server itself can reach.
    const self = await getJson<{ Config: { NodeName: string } }>(
      `http://${CLIENT}:${agent.port}/v1/agent/self`,
      2000,
      {},
      reach.dialer('server'),
    );
    t.is(self.Config.NodeName, 'client1');
    t.deepEqual(sshd.forwarded, [`${CLIENT}:${agent.port}`]);
    const failed = await reach
      .dialer('client1')
      .connect(CLIENT, agent.port, new AbortController().signal)
      .then(
        () => 'connected',
        (error: Error) => error.message,
      );
    t.regex(failed, /^no SSH session: \[client1\] /);
  },
);

test('verify.via: direct and ssh are obeyed as written', async (t) => {
  const direct = await labReach(cluster('/tmp', '{ type: ssh }', 'direct'));
  t.is(direct.reach.via, 'direct');
  t.is(direct.reach.reason, 'verify.via is direct in the cluster file');
  const ssh = fixture();
  const sshd = await ssh.server();
  t.teardown(() => sshd.close());
  const forced = await labReach(cluster(ssh.dir, `{ type: ssh, port: ${sshd.port}, key: ${ssh.keyPath} }`, 'ssh'), {
    sshDeadlineMs: 500,
  });
  t.teardown(forced.close);
  t.is(forced.reach.via, 'ssh');
  t.is(forced.reach.reason, 'verify.via is ssh in the cluster file');
  t.is(forced.reach.dialer('server').via, 'ssh');
});

test("sessions given (up's own): the ssh way goes through them, opens none and leaves them open", async (t) => {
  const forwarded: string[] = [];
  let closed = 0;
  const session = {
    node: 'server',
    forward: (host: string, port: number) => {
      forwarded.push(`${host}:${port}`);
      return Promise.resolve(new PassThrough());
    },
    close: () => {
      closed++;
      return Promise.resolve();
    },
  } as unknown as Remote;
  // An ssh provider on port 1: opening a session of its own would fail, and `client1` would say why.
  const sessions = new Map([['server', session]]);
  const { reach, close } = await labReach(cluster('/tmp', '{ type: ssh, port: 1 }', 'ssh'), { sessions });
  t.is(reach.via, 'ssh');
  const stream = await reach.dialer('server').connect(SERVER, 8600, new AbortController().signal);
  stream.destroy();
  t.deepEqual(forwarded, [`${SERVER}:8600`]);
  const failed = reach.dialer('client1').connect(CLIENT, 8600, new AbortController().signal);
  await t.throwsAsync(failed, { message: 'no SSH session to this node' });
  await close();
  t.is(closed, 0);
});
