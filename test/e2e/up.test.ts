import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { readFact } from '../../src/facts/fact.ts';
import { unitState } from '../../src/facts/facts.ts';
import { labStateDir } from '../../src/host/dirs.ts';
import { closeAll, openSessions } from '../../src/sessions.ts';
import type { Remote } from '../../src/remote/remote.ts';
import { clientsNotReady, membersNotAlive, parseConsulMembers } from '../../src/steps/health.ts';
import { cli, requirePreparedHost } from './helpers.ts';

// The default lab's layout under its own name and subnet (so a lab a person has up is
// left alone), brought up by the real CLI on real Vagrant machines.

const LAB = 'e2e-up';
const SUBNET = '10.89.0';
let file = '';
let cluster: Cluster;
let remotes = new Map<string, Remote>();


const on = (node: string) => remotes.get(node)!;

test.before(async () => {
  await requirePreparedHost();
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-e2e-up-'));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  const text = (await readFile('cluster.yaml', 'utf8')).replace('name: nomad-lab', `name: ${LAB}`).replaceAll('10.77.0', SUBNET);
  file = join(dir, 'cluster.yaml');
  await writeFile(file, text);
  cluster = await loadCluster(file);
  const up = await cli(['up', '-f', file]);
  if (up.exitCode !== 0) throw new Error(`nomad-lab up failed:\n${up.all}`);
  remotes = await openSessions(cluster);
});

test.after.always(async () => {
  await closeAll(remotes);
  if (file) await cli(['down', '-f', file]);
});

test.serial('consul members on every node lists 3 alive members', async (t) => {
  for (const node of ['server', 'client1', 'client2']) {
    const { stdout } = await on(node).run(['consul', 'members']);
    t.deepEqual(membersNotAlive(parseConsulMembers(stdout), ['server', 'client1', 'client2']), [], `${node}: ${stdout}`);
    t.is(parseConsulMembers(stdout).length, 3);
  }
});

test.serial('nomad: one alive leader, two ready clients with the docker driver healthy', async (t) => {
  const members = await on('server').run(['nomad', 'server', 'members']);
  const rows = members.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  t.deepEqual(rows.map((r) => [r[0], r[3], r[4]]), [['server.global', 'alive', 'true']]);
  const nodes = await on('server').run(['curl', '-sf', 'http://127.0.0.1:4646/v1/nodes']);
  t.deepEqual(clientsNotReady(nodes.stdout, ['client1', 'client2']), []);
  t.is((JSON.parse(nodes.stdout) as unknown[]).length, 2);
});

test.serial('.consul names resolve on every node, to lab addresses', async (t) => {
  for (const node of ['server', 'client1', 'client2']) {
    const { stdout } = await on(node).run(['getent', 'hosts', 'consul.service.consul']);
    t.is(stdout.trim().split(/\s+/)[0], `${SUBNET}.10`, node);
  }
});

async function startTimes(): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  for (const node of ['server', 'client1', 'client2']) {
    for (const unit of ['consul', 'nomad', 'dnsmasq']) times[`${node}/${unit}`] = (await readFact(on(node), unitState(unit))).startedAt;
  }
  return times;
}

test.serial('a second up reports 0 changes and restarts nothing', async (t) => {
  const before = await startTimes();
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
  t.deepEqual(await startTimes(), before);
});

test.serial('consul stopped on one node: the next up starts it, and the cluster is healthy again', async (t) => {
  await on('client2').run(['systemctl', 'stop', 'consul'], { sudo: true });
  t.false((await readFact(on('client2'), unitState('consul'))).active);
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^client2: start consul$/m);
  t.regex(up.stdout, /^up: 1 change /m);
  const { stdout } = await on('server').run(['consul', 'members']);
  t.deepEqual(membersNotAlive(parseConsulMembers(stdout), ['server', 'client1', 'client2']), []);
});

test.serial('a file uploaded twice over ssh2 is written once', async (t) => {
  const first = await on('client1').upload('hello from nomad-lab\n', '/etc/nomad-lab/e2e.txt', { mode: 0o644, owner: 'root', group: 'root' });
  const inode = (await on('client1').run(['stat', '-c', '%i %Y', '/etc/nomad-lab/e2e.txt'])).stdout;
  const second = await on('client1').upload('hello from nomad-lab\n', '/etc/nomad-lab/e2e.txt', { mode: 0o644, owner: 'root', group: 'root' });
  t.true(first.changed);
  t.false(second.changed);
  t.is((await on('client1').run(['stat', '-c', '%i %Y', '/etc/nomad-lab/e2e.txt'])).stdout, inode);
});

test.serial('the gossip key stays in the lab state folder, mode 0600, and never in the output', async (t) => {
  const keyFile = join(labStateDir(cluster), 'gossip.key');
  const key = (await readFile(keyFile, 'utf8')).trim();
  const { stdout: mode } = await execa('stat', ['-c', '%a', keyFile]);
  t.is(mode, '600');
  const up = await cli(['up', '-f', file]);
  t.false(up.all.includes(key));
});
