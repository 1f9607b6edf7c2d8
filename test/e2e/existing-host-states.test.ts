import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { nodeImageTag } from '../../src/images/node-image.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';
import { Hosts } from './hosts.ts';

// Existing hosts as people have them (issue 26): hosts made from the preloaded node image, so Docker is
// installed but disabled and stopped, as the image ships it; then one state after the other that a host in the
// wild is in. Each is converged, or refused before any change with a message naming the host, the state and
// the fix. The tests run in order.

const LAB = 'e2e-states';
const NET = { name: 'e2e-states', subnet: '10.93.0' };
const USER = 'ops';
const NODES = [
  { node: 'server', role: 'server', address: `${NET.subnet}.10` },
  { node: 'client1', role: 'client', address: `${NET.subnet}.11` },
] as const;

let hosts: Hosts;
const files: string[] = [];
/** The lab's own file, as the sudo user ops: what the tests after the refusals bring up. */
let file = '';

/** A cluster file for the hosts, as `user`, in the hosts' folder. */
async function clusterFile(name: string, user = USER): Promise<string> {
  const file = join(hosts.dir, name);
  const lines = [
    'version: 1',
    `name: ${LAB}`,
    'network:',
    `  cidr: ${NET.subnet}.0/24`,
    'provider:',
    '  type: ssh',
    `  user: ${user}`,
    '  key: id_ed25519',
    'nodes:',
    ...NODES.flatMap((n) => [`  - name: ${n.node}`, `    role: ${n.role}`, `    address: ${n.address}`]),
    'jobs:',
    '  - { name: whoami, file: jobs/whoami.nomad.hcl, images: [{ recipe: whoami }] }',
    'services:',
    '  - { name: whoami, job: whoami, count: 2, check: http, path: / }',
    '',
  ];
  await writeFile(file, lines.join('\n'));
  files.push(file);
  return file;
}

/** What a refused `up` must not have left: no lab folder, no agent, Docker as it was. */
async function untouched(node: string): Promise<string> {
  const { stdout } = await hosts.sh(node, 'for p in /etc/consul.d /etc/nomad.d /usr/local/bin/consul /etc/nomad-lab; do [ -e "$p" ] && echo "$p"; done; systemctl is-active docker || true');
  return stdout.trim();
}

/** `verify --json` until it passes or `ms` run out. */
async function verifiedWithin(file: string, ms: number): Promise<VerifyReport> {
  const deadline = Date.now() + ms;
  for (;;) {
    const report = JSON.parse((await cli(['verify', '-f', file, '--json'])).stdout) as VerifyReport;
    if (report.ok || Date.now() > deadline) return report;
    await sleep(2000);
  }
}

test.before(async () => {
  await requirePreparedHost();
  const image = await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io']);
  hosts = new Hosts(LAB, [NET], NODES.map((n) => ({ node: n.node, addresses: [n.address], image })), USER, 22);
  await hosts.start();
  await mkdir(join(hosts.dir, 'jobs'));
  await cp('jobs/whoami.nomad.hcl', join(hosts.dir, 'jobs', 'whoami.nomad.hcl'));
});

test.after.always(async () => {
  await hosts.cleanUp(file ? [file] : []);
});

test.serial('the hosts as the image ships them: Docker installed, disabled and stopped', async (t) => {
  for (const n of NODES) {
    const { stdout } = await hosts.sh(n.node, "dpkg-query -W -f '${Status}' docker.io; echo; systemctl is-enabled docker || true; systemctl is-active docker || true");
    t.deepEqual(stdout.trim().split('\n'), ['install ok installed', 'disabled', 'inactive'], n.node);
  }
});

test.serial('sudo that asks a password, a user without sudo, sudo that wants a terminal: refused at connect, before any change', async (t) => {
  const users = {
    askspw: 'askspw ALL=(ALL) ALL',
    nosudo: '',
    wantstty: 'Defaults:wantstty requiretty\nwantstty ALL=(ALL) NOPASSWD:ALL',
  };
  for (const n of NODES) {
    for (const [user, sudoers] of Object.entries(users)) {
      await hosts.sh(n.node, `useradd -m -s /bin/bash ${user} && install -d -m 700 -o ${user} -g ${user} /home/${user}/.ssh && cp /home/${USER}/.ssh/authorized_keys /home/${user}/.ssh/ && chown ${user}: /home/${user}/.ssh/authorized_keys`);
      if (sudoers) await hosts.sh(n.node, `printf '%s\\n' '${sudoers.replaceAll('\n', "' '")}' > /etc/sudoers.d/${user} && chmod 440 /etc/sudoers.d/${user}`);
    }
  }
  const expected: Record<string, RegExp> = {
    askspw: /^\[server\] sudo asks user askspw for a password .*: on the host, as root: echo 'askspw ALL=\(ALL\) NOPASSWD:ALL' > \/etc\/sudoers.d\/askspw/m,
    nosudo: /^\[client1\] sudo asks user nosudo for a password \(or nosudo may not use sudo at all\)/m,
    wantstty: /^\[server\] sudo for user wantstty needs a terminal \(requiretty in sudoers\).*"Defaults:wantstty !requiretty"/m,
  };
  for (const [user, message] of Object.entries(expected)) {
    const up = await cli(['up', '-f', await clusterFile(`${user}.yaml`, user)]);
    t.is(up.exitCode, 1, up.all);
    t.regex(up.all, message);
    t.regex(up.all, /nothing was changed on any node/);
    t.notRegex(up.all, /at .*\.(ts|js):\d+/, 'no stack trace');
  }
  for (const n of NODES) t.is(await untouched(n.node), 'inactive', n.node);
});

test.serial('a firewall that drops a port the agents need: refused before any change, naming the pair and the port', async (t) => {
  // iptables comes with docker.io; the rule drops Consul's LAN gossip from the server to client1.
  const rule = `INPUT -s ${NODES[0].address} -p tcp --dport 8301 -j DROP`;
  await hosts.sh('client1', `iptables -A ${rule}`);
  file = await clusterFile('cluster.yaml');
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 1, up.all);
  t.regex(up.all, /1 of the ports the agents need between nodes is blocked, so nothing was changed/);
  t.regex(up.all, new RegExp(`server -> client1 \\(${NODES[1].address.replaceAll('.', '\\.')}\\) tcp/8301 \\(Consul LAN gossip\\): Connection timed out`));
  t.notRegex(up.all, /tcp\/8300|client1 -> server/, 'only the dropped port is named');
  for (const n of NODES) t.is(await untouched(n.node), 'inactive', n.node);
  await hosts.sh('client1', `iptables -D ${rule}`);
});

test.serial('Docker installed but stopped: up enables and starts the engine that is there, and the lab comes up and verifies', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^client1: enable docker$/m);
  t.regex(up.stdout, /^client1: start docker$/m);
  t.notRegex(up.stdout, /install .*docker/);
  t.regex(up.all, /\d+ ports open between 2 nodes/);
  t.is((await hosts.sh('client1', 'systemctl is-enabled docker; systemctl is-active docker')).stdout.trim(), 'enabled\nactive');
  t.deepEqual(failures(await verifiedWithin(file, 30_000)), []);
});

test.serial('a second up changes nothing, the port check included', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
});

test.serial("containers that are not the lab's: verify does not count them, down leaves them running", async (t) => {
  // An image and a container of the host's own, made from the host's files: no registry needed.
  await hosts.sh('client1', 'tar -C / -c usr/bin/sleep lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2 | docker import - theirs/sleep:1 >/dev/null && docker run -d --name theirs --label owner=someone-else theirs/sleep:1 /usr/bin/sleep infinity');
  const before = await verifiedWithin(file, 30_000);
  t.deepEqual(failures(before), []);
  t.true(before.results.some((r) => r.name === 'whoami: SRV from server' && r.actual === '2 instances'));

  const down = await cli(['down', '-f', file]);
  t.is(down.exitCode, 0, down.all);
  t.regex(down.stdout, /^client1: removed \d+ task containers$/m);
  t.is((await hosts.sh('client1', "docker inspect -f '{{.State.Running}}' theirs")).stdout.trim(), 'true');
  t.is((await hosts.sh('client1', 'docker image inspect -f ok theirs/sleep:1')).stdout.trim(), 'ok');
  t.is((await hosts.sh('client1', 'docker ps -q | wc -l')).stdout.trim(), '1', 'only their container is left');
  // `up` again on the cleaned hosts, for the tests after this one.
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
});
