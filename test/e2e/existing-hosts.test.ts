import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { nodeImageTag } from '../../src/images/node-image.ts';
import { connect } from '../../src/remote/connect.ts';
import type { Remote } from '../../src/remote/remote.ts';
import type { LabStatus } from '../../src/status.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';
import { Hosts } from './hosts.ts';

// Existing hosts for real (issue 14): the test itself makes two "existing hosts" with plain `docker run` from the
// node image (no Vagrant), each on two networks: SSH on one (sshd on port 2222, user `ops` with sudo, no root
// login, a key of the test's own), the lab on the other, which this host cannot reach. `up` over SSH, `verify`
// and `status` through the SSH sessions, the addresses Consul and Nomad advertise, `down` that keeps the hosts
// and removes what `up` put there (twice), and `up` again from the clean hosts. The tests run in order.

const LAB = 'e2e-hosts';
const SSH_NET = { name: 'e2e-hosts-ssh', subnet: '10.96.0' };
const LAB_NET = { name: 'e2e-hosts-lab', subnet: '10.97.0' };
const HOSTS = [
  { node: 'server', role: 'server', last: 10 },
  { node: 'client1', role: 'client', last: 11 },
] as const;
const USER = 'ops';
const PORT = 2222;

const sshAddress = (last: number) => `${SSH_NET.subnet}.${last}`;
const labAddress = (last: number) => `${LAB_NET.subnet}.${last}`;

let hosts: Hosts;
let dir = '';
let file = '';
const remotes = new Map<string, Remote>();

const container = (node: string) => hosts.container(node);
const sh = (node: string, command: string, reject = true) => hosts.sh(node, command, reject);

/** An ssh2 session like nomad-lab's, with the test's key and a known_hosts of the test's own. */
const session = (host: string, user = USER, deadlineMs = 30_000) =>
  connect(
    { node: 'probe', host, port: PORT, user, privateKeyPath: hosts.keyPath, labAddress: '' },
    { knownHostsFile: join(dir, 'test_known_hosts'), deadlineMs },
  );

async function on(node: string): Promise<Remote> {
  let remote = remotes.get(node);
  if (!remote) remotes.set(node, (remote = await session(sshAddress(HOSTS.find((h) => h.node === node)!.last))));
  return remote;
}

test.before(async () => {
  await requirePreparedHost();
  const image = await nodeImageTag('nomadlab/node');
  hosts = new Hosts(
    LAB,
    [SSH_NET, { ...LAB_NET, unreachable: true }],
    HOSTS.map((h) => ({ node: h.node, addresses: [sshAddress(h.last), labAddress(h.last)], image })),
    USER,
    PORT,
  );
  await hosts.start();
  dir = hosts.dir;

  file = await hosts.writeCluster(
    'cluster.yaml',
    `${LAB_NET.subnet}.0/24`,
    HOSTS.map((h) => ({ node: h.node, role: h.role, address: labAddress(h.last), sshHost: sshAddress(h.last) })),
  );
});

test.after.always(async () => {
  await Promise.allSettled([...remotes.values()].map((r) => r.close()));
  await hosts.cleanUp(file ? [file] : []);
});

test.serial(
  'the hosts: SSH as a sudo user on port 2222, no root login, the lab network out of reach from here',
  async (t) => {
    const ops = await on('server');
    t.is((await ops.run(['id', '-un'])).stdout.trim(), USER);
    t.is((await ops.run(['id', '-un'], { sudo: true })).stdout.trim(), 'root');
    t.regex(
      (await ops.run(['ip', '-4', '-o', 'addr'])).stdout,
      new RegExp(`eth1\\s+inet ${labAddress(10).replaceAll('.', '\\.')}/24`),
    );

    const root = await session(sshAddress(10), 'root', 5_000).then(
      (r) => r.close().then(() => 'logged in'),
      (error: Error) => error.message,
    );
    t.regex(root, /authentication as root .* was refused/);
    // A TCP connect is no proof here (a transparent proxy may accept anything): an SSH handshake is.
    const lab = await session(labAddress(10), USER, 3_000).then(
      (r) => r.close().then(() => 'logged in'),
      (error: Error) => error.message,
    );
    t.regex(lab, /no SSH session after/, `${labAddress(10)}:${PORT} must not be reachable from this host`);
    t.is(
      (await sh('server', `ss -ltnH 'sport = :${PORT}' | wc -l`)).stdout.trim() !== '0',
      true,
      'sshd listens on 2222',
    );
  },
);

test.serial('up brings the existing hosts to a healthy cluster', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.all, /existing hosts: nothing to boot \(2 nodes\)/);
  t.regex(up.stdout, /^client1: loaded nomadlab\/whoami:\S+ into docker$/m);
});

test.serial('verify passes, every check through the SSH sessions, and the report says so', async (t) => {
  const json = await cli(['verify', '-f', file, '--json']);
  const report = JSON.parse(json.stdout) as VerifyReport;
  t.is(json.exitCode, 0, JSON.stringify(failures(report)));
  t.is(report.reach?.via, 'ssh');
  t.regex(report.reach?.reason ?? '', /no lab address answered from this host/);
  t.true(report.results.length > 10);
  t.true(report.results.every((r) => r.via === 'ssh'));
  for (const node of ['server', 'client1'])
    t.true(report.results.some((r) => r.name === `whoami: SRV from ${node}` && r.ok && r.actual === '2 instances'));

  const table = await cli(['verify', '-f', file]);
  t.is(table.exitCode, 0, table.all);
  t.regex(table.stdout, /^reached through each node's SSH session: no lab address answered from this host/);
  t.regex(table.stdout, /whoami: port 10\.97\.0\.11:\d+ on client1 +HTTP 200 \(\d+ ms, via ssh\)/);
});

test.serial(
  'alloc status and alloc logs reach Nomad through the SSH sessions: the lab addresses are private',
  async (t) => {
    const status = await cli(['alloc', 'status', 'whoami', '-f', file]);
    t.is(status.exitCode, 0, status.all);
    t.regex(status.stdout, /^[0-9a-f]{8} +whoami +client1 +10\.97\.0\.11 +http=10\.97\.0\.11:\d+ +run +running$/m);
    const logs = await cli(['alloc', 'logs', 'whoami', '--file', file]);
    t.is(logs.exitCode, 0, logs.all);
    t.regex(logs.stdout, /whoami: serving \S+ on :8080/);
  },
);

test.serial('verify.via: direct is obeyed and fails, naming the lab addresses it could not reach', async (t) => {
  const direct = join(dir, 'direct.yaml');
  await writeFile(direct, `${await readFile(file, 'utf8')}verify: { via: direct }\n`);
  const json = await cli(['verify', '-f', direct, '--json']);
  t.is(json.exitCode, 1);
  const report = JSON.parse(json.stdout) as VerifyReport;
  t.is(report.reach?.via, 'direct');
  t.true(report.results.every((r) => r.via === 'direct'));
  const agent = report.results.find((r) => r.name === 'consul: agent on server')!;
  t.false(agent.ok);
  t.log(agent.message);
  t.true(
    report.results
      .filter((r) => r.name.startsWith('whoami: SRV from'))
      .every((r) => !r.ok && (r.message ?? '').includes(`${LAB_NET.subnet}.`)),
  );
});

test.serial('Consul and Nomad bind and advertise the lab address, not the SSH network', async (t) => {
  const server = await on('server');
  const members = (await server.run(['consul', 'members'])).stdout;
  for (const h of HOSTS)
    t.regex(members, new RegExp(`^${h.node}\\s+${labAddress(h.last).replaceAll('.', '\\.')}:8301\\s+alive`, 'm'));

  const nomad = JSON.parse((await server.run(['curl', '-sf', 'http://127.0.0.1:4646/v1/agent/members'])).stdout) as {
    Members: { Name: string; Addr: string }[];
  };
  t.deepEqual(
    nomad.Members.map((m) => [m.Name, m.Addr]),
    [['server.global', labAddress(10)]],
  );
  const nodes = JSON.parse((await server.run(['curl', '-sf', 'http://127.0.0.1:4646/v1/nodes'])).stdout) as {
    Name: string;
    Address: string;
  }[];
  t.deepEqual(
    nodes.map((n) => [n.Name, n.Address]),
    [['client1', labAddress(11)]],
  );
  const self = JSON.parse(
    (await (await on('client1')).run(['curl', '-sf', 'http://127.0.0.1:4646/v1/agent/self'])).stdout,
  ) as { member: { Addr: string }; config: { AdvertiseAddrs: Record<string, string> } };
  // A client has no Serf of its own: its Serf entry is the address alone.
  t.deepEqual(self.config.AdvertiseAddrs, {
    HTTP: `${labAddress(11)}:4646`,
    RPC: `${labAddress(11)}:4647`,
    Serf: labAddress(11),
  });

  // What listens, by address: the agents' ports on the lab address (HTTP also on loopback), none on the SSH network or
  // on all.
  for (const h of HOSTS) {
    const listening = (await sh(h.node, "ss -ltnH | awk '{print $4}'")).stdout.split('\n');
    const agents = listening.filter((a) => /:(4646|4647|4648|8300|8301|8302|8500|8600)$/.test(a)).sort();
    t.true(agents.length > 0, h.node);
    t.deepEqual(
      agents.filter((a) => !a.startsWith(`${labAddress(h.last)}:`) && !a.startsWith('127.0.0.1:')),
      [],
      `${h.node}: ${agents.join(' ')}`,
    );
  }
});

test.serial('a second up changes nothing', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
});

test.serial('status works through SSH: members, the server, the ready client, the job', async (t) => {
  const result = await cli(['status', '-f', file, '--json']);
  t.is(result.exitCode, 0, result.all);
  const status = JSON.parse(result.stdout) as LabStatus;
  t.deepEqual(status.problems, []);
  t.deepEqual(
    status.machines.map((m) => [m.node, m.state]),
    [
      ['server', 'running'],
      ['client1', 'running'],
    ],
  );
  t.regex(status.machines[0]!.detail, /^10\.96\.0\.10:2222 answers SSH-2\.0-OpenSSH_/);
  t.deepEqual(status.consul.map((m) => [m.name, m.address, m.status]).sort(), [
    ['client1', `${labAddress(11)}:8301`, 'alive'],
    ['server', `${labAddress(10)}:8301`, 'alive'],
  ]);
  t.deepEqual(status.nomad?.clients, [{ name: 'client1', status: 'ready', docker: 'healthy' }]);
  t.deepEqual(
    status.nomad?.jobs.map((j) => [j.id, j.status]),
    [['whoami', 'running']],
  );
});

/** What `up` leaves on a host, as `ls`, `id` and systemd see it. */
async function labTraces(node: string): Promise<string> {
  const { stdout } = await sh(
    node,
    [
      'for p in /usr/local/bin/consul /usr/local/bin/nomad /etc/systemd/system/consul.service ' +
        ('/etc/systemd/system/nomad.service /etc/consul.d /etc/nomad.d /opt/consul /opt/nomad /etc/nomad-lab ' +
          '/var/lib/nomad-lab /var/cache/nomad-lab /etc/dnsmasq.d/10-consul.conf; do [ -e "$p" ] && echo "$p"; done'),
      'id -u consul >/dev/null 2>&1 && echo "user consul"',
      'systemctl is-active --quiet consul && echo "consul running"',
      'systemctl is-active --quiet nomad && echo "nomad running"',
      'head -n 1 /etc/resolv.conf | grep "nomad-lab" || true',
      'docker ps -q | sed "s/^/container /"',
      'true',
    ].join('\n'),
  );
  return stdout.trim();
}

test.serial(
  'down keeps the hosts, stops jobs and agents, removes what up put there and says what; twice is fine',
  async (t) => {
    t.not(await labTraces('client1'), '');
    const down = await cli(['down', '-f', file]);
    t.is(down.exitCode, 0, down.all);
    t.log(down.stdout);
    t.regex(down.stdout, /^server: stopped and purged whoami$/m);
    for (const node of ['server', 'client1']) {
      t.regex(down.stdout, new RegExp(`^${node}: stopped nomad$`, 'm'));
      t.regex(down.stdout, new RegExp(`^${node}: removed /usr/local/bin/consul$`, 'm'));
      t.regex(down.stdout, new RegExp(`^${node}: removed /opt/nomad$`, 'm'));
      t.regex(down.stdout, new RegExp(`^${node}: removed user consul$`, 'm'));
      t.regex(down.stdout, new RegExp(`^${node}: restored /etc/resolv.conf$`, 'm'));
    }
    t.regex(down.stdout, /^client1: removed the job images/m);
    t.regex(down.stdout, /^down: e2e-hosts is gone from its hosts; the hosts keep running$/m);

    for (const h of HOSTS) {
      t.is(
        (await execa('docker', ['inspect', '-f', '{{.State.Running}}', container(h.node)])).stdout,
        'true',
        `${h.node} keeps running`,
      );
      t.is(await labTraces(h.node), '', h.node);
    }
    t.is((await sh('client1', 'docker images -q --filter label=nomad-lab.recipe')).stdout, '');

    const again = await cli(['down', '-f', file]);
    t.is(again.exitCode, 0, again.all);
    for (const node of ['server', 'client1'])
      t.regex(again.stdout, new RegExp(`^${node}: nothing of the lab left to remove$`, 'm'));
  },
);

test.serial('up on the cleaned hosts starts from scratch and verify passes again', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^server: create user consul$/m);
  t.regex(up.stdout, /^client1: start nomad$/m);
  // Once, with no grace period: up's last step waited for verify to pass.
  const json = await cli(['verify', '-f', file, '--json']);
  const report = JSON.parse(json.stdout) as VerifyReport;
  t.deepEqual(failures(report), []);
  t.is(report.reach?.via, 'ssh');
});
