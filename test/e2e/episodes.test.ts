import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { jobRecipeHash } from '../../src/images/job-images.ts';
import type { Remote } from '../../src/remote/remote.ts';
import { closeAll, openSessions } from '../../src/sessions.ts';
import { verifyCluster } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost, verifiedWithin } from './helpers.ts';

// The workshop's later episodes on one lab (examples/episodes.yaml under its own name and subnet):
// driver options and raw_exec, MariaDB with and without its host volume, the to-do app in both
// shapes. One lab for every test, in order, to keep CI short.

const LAB = 'e2e-ep';
const SUBNET = '10.98.2';
const SERVER = `${SUBNET}.10`;
let file = '';
let cluster: Cluster;
let remotes = new Map<string, Remote>();
const on = (node: string) => remotes.get(node)!;

test.before(async () => {
  await requirePreparedHost();
  const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${LAB}-`));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  await mkdir(join(dir, 'examples'));
  file = join(dir, 'examples/episodes.yaml');
  const text = (await readFile('examples/episodes.yaml', 'utf8')).replace('name: nomad-episodes', `name: ${LAB}`).replaceAll('10.80.0', SUBNET);
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

interface Instance {
  node: string;
  address: string;
  port: number;
}

/** The passing instances of a service, from Consul's health API on the server. */
async function passing(service: string): Promise<Instance[]> {
  const response = await fetch(`http://${SERVER}:8500/v1/health/service/${service}?passing=true`);
  const entries = (await response.json()) as { Node: { Node: string }; Service: { Address: string; Port: number } }[];
  return entries.map((e) => ({ node: e.Node.Node, address: e.Service.Address, port: e.Service.Port }));
}

async function passingWithin(service: string, count: number, ms = 180_000): Promise<Instance[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const instances = await passing(service).catch(() => []);
    if (instances.length === count || Date.now() > deadline) return instances;
    await sleep(2000);
  }
}

/** A real MySQL client (Debian's mariadb-client, in the job image) on the host's network, as a workshop student runs it. */
async function mysql(at: Instance, password: string, sql: string) {
  const image = `nomadlab/mariadb:${await jobRecipeHash('mariadb')}`;
  const args = ['run', '--rm', '--network', 'host', '-e', 'MYSQL_PWD', image, 'mariadb', `--host=${at.address}`, `--port=${at.port}`, '--user=root', '--batch', '--skip-column-names', '--connect-timeout=5', '-e', sql];
  return execa('docker', args, { reject: false, all: true, env: { MYSQL_PWD: password } });
}

/** MariaDB accepts connections some seconds after its port is open: try until it answers. */
async function mysqlWithin(at: Instance, password: string, sql: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await mysql(at, password, sql);
    if (result.exitCode === 0 || Date.now() > deadline) return result;
    await sleep(2000);
  }
}

async function nomadRun(jobFile: string): Promise<void> {
  await on('server').run(['nomad', 'job', 'run', '-detach', '-'], { stdin: await readFile(jobFile, 'utf8') });
}

async function nomadStop(job: string): Promise<void> {
  await on('server').run(['nomad', 'job', 'stop', '-purge', job]);
}

const databases = async (at: Instance, password: string) => {
  const result = await mysqlWithin(at, password, 'SHOW DATABASES');
  if (result.exitCode !== 0) throw new Error(`mariadb at ${at.address}:${at.port}: ${result.all}`);
  return result.stdout.split('\n');
};

test.serial('verify passes: every enabled driver healthy on its node (raw_exec on client1 only), the services by SRV from every node', async (t) => {
  const report = await verifiedWithin(cluster.spec, 120_000);
  t.deepEqual(failures(report), []);
  const drivers = Object.fromEntries(report.results.filter((r) => r.name.includes(': drivers on ')).map((r) => [r.node, r.actual]));
  t.deepEqual(drivers, { client1: 'docker healthy, raw_exec healthy', client2: 'docker healthy' });
  t.true(report.results.some((r) => r.service === 'todo-db' && r.ok));
});

test.serial("the docker plugin's options reached the clients", async (t) => {
  const nodes = JSON.parse((await on('server').run(['curl', '-sf', 'http://127.0.0.1:4646/v1/nodes?resources=false'])).stdout) as { ID: string; Name: string }[];
  for (const node of nodes) {
    const attributes = (JSON.parse((await on('server').run(['curl', '-sf', `http://127.0.0.1:4646/v1/node/${node.ID}`])).stdout) as { Attributes: Record<string, string> }).Attributes;
    t.is(attributes['driver.docker.volumes.enabled'], 'true', node.Name);
    t.is(attributes['driver.raw_exec'], node.Name === 'client1' ? '1' : undefined, node.Name);
  }
  const clientHcl = (await on('client1').run(['cat', '/etc/nomad.d/client.hcl'], { sudo: true })).stdout;
  t.regex(clientHcl, /image_delay = "10m"/);
  t.regex(clientHcl, /pull_activity_timeout = "5m"/);
});

test.serial('a second up changes nothing', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes/m);
});

test.serial('mysql: a database on the host volume survives nomad job stop and a new run', async (t) => {
  const [before] = await passingWithin('mysql', 1);
  t.truthy(before);
  t.is(before!.port, 3306, 'the static port');
  const created = await mysqlWithin(before!, 'workshop', 'CREATE DATABASE IF NOT EXISTS episode_kept');
  t.is(created.exitCode, 0, created.all);

  await nomadStop('mysql');
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  const [after] = await passingWithin('mysql', 1);
  t.truthy(after);
  t.true((await databases(after!, 'workshop')).includes('episode_kept'));
});

test.serial('mysql without the volume: the database is gone after a stop and a new run', async (t) => {
  await nomadStop('mysql');
  await nomadRun('jobs/mysql-no-volume.nomad.hcl');
  const [first] = await passingWithin('mysql', 1);
  t.truthy(first);
  const created = await mysqlWithin(first!, 'workshop', 'CREATE DATABASE episode_lost');
  t.is(created.exitCode, 0, created.all);
  t.true((await databases(first!, 'workshop')).includes('episode_lost'));

  await nomadStop('mysql');
  await nomadRun('jobs/mysql-no-volume.nomad.hcl');
  const [second] = await passingWithin('mysql', 1);
  t.truthy(second);
  t.false((await databases(second!, 'workshop')).includes('episode_lost'));

  // The cluster file's job again: up registers it, and the kept database is still there.
  await nomadStop('mysql');
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  const [kept] = await passingWithin('mysql', 1);
  t.true((await databases(kept!, 'workshop')).includes('episode_kept'));
});

async function todo(at: Instance, item?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://${at.address}:${at.port}/`, item === undefined ? {} : { method: 'POST', body: item });
  return { status: response.status, body: await response.text() };
}

/** The to-do list through one web instance, once it finds the database (200). */
async function todoWithin(at: Instance, item?: string, ms = 60_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await todo(at, item).catch((error: Error) => ({ status: 0, body: error.message }));
    if (answer.status === 200 || Date.now() > deadline) return answer;
    await sleep(2000);
  }
}

test.serial('todo: an item added through each web instance is read back through every one, and survives a restart of todo-db', async (t) => {
  const webs = await passingWithin('todo-web', 2);
  t.is(webs.length, 2);
  await passingWithin('todo-db', 1);
  const items = webs.map((w, i) => `item ${i} via ${w.address}:${w.port} at ${Date.now()}`);
  for (const [i, web] of webs.entries()) {
    const added = await todoWithin(web, items[i]);
    t.is(added.status, 200, added.body);
    t.regex(added.body, /found todo-db at .* \(todo-db\.service\.consul SRV -> /);
  }
  for (const web of webs) {
    const list = await todoWithin(web);
    for (const item of items) t.true(list.body.includes(item), `${web.address}:${web.port}: ${list.body}`);
  }

  await nomadStop('todo-db');
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  await passingWithin('todo-db', 1);
  for (const web of webs) {
    const list = await todoWithin(web);
    t.is(list.status, 200, list.body);
    for (const item of items) t.true(list.body.includes(item), `after the restart, ${web.address}:${web.port}: ${list.body}`);
  }
});

test.serial('todo as one group: verify proves todo-db and todo-web by SRV, and an item goes round trip; up brings the two jobs back', async (t) => {
  await nomadStop('todo-web');
  await nomadStop('todo-db');
  await nomadRun('jobs/todo.nomad.hcl');
  const [web] = await passingWithin('todo-web', 1);
  t.truthy(web);
  const added = await todoWithin(web!, 'one group');
  t.is(added.status, 200, added.body);
  t.regex(added.body, /^\d+\tone group$/m);

  const services = [
    { name: 'todo-db', count: 1, check: 'tcp' as const, path: '/' },
    { name: 'todo-web', count: 1, check: 'http' as const, path: '/' },
  ];
  const report = await verifyCluster({ ...cluster.spec, services }, { cluster: false });
  t.deepEqual(failures(report), []);

  await nomadStop('todo');
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.deepEqual(failures(await verifiedWithin(cluster.spec, 120_000)), []);
});
