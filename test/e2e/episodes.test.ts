import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { jobRecipeHash } from '../../src/images/job-images.ts';
import type { Remote } from '../../src/remote/remote.ts';
import { closeAll, openSessions } from '../../src/sessions.ts';
import { verifyCluster } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';

// The workshop's episodes on one lab (examples/episodes.yaml under its own name and subnet): whoami on
// a static port, driver and task options, raw_exec and privileged, MariaDB with and without its host
// volume, the to-do app in its three versions, DNS as the workshop asks it, and `alloc status` / `alloc
// logs` at every step. One lab for every test, in order, to keep CI short.

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
  const text = (await readFile('examples/episodes.yaml', 'utf8'))
    .replace('name: nomad-episodes', `name: ${LAB}`)
    .replaceAll('10.80.0', SUBNET);
  await writeFile(file, text);
  // The workshop scales whoami-static from 1 to 2 by an edit: the lab starts at 1.
  await setWhoamiCount(1);
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

/**
 * A real MySQL client (Debian's mariadb-client, in the job image) on the host's network, as a workshop student runs it.
 */
async function mysql(at: Instance, password: string, sql: string) {
  const image = `nomadlab/mariadb:${await jobRecipeHash('mariadb')}`;
  const args = [
    'run',
    '--rm',
    '--network',
    'host',
    '-e',
    'MYSQL_PWD',
    image,
    'mariadb',
    `--host=${at.address}`,
    `--port=${at.port}`,
    '--user=root',
    '--batch',
    '--skip-column-names',
    '--connect-timeout=5',
    '-e',
    sql,
  ];
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

async function nomadRun(jobFile: string, args: readonly string[] = []): Promise<void> {
  await on('server').run(['nomad', 'job', 'run', '-detach', ...args, '-'], { stdin: await readFile(jobFile, 'utf8') });
}

/**
 * whoami-static's count, in the lab's copy of its job file and of the cluster file (its service and tagged lookups).
 */
async function setWhoamiCount(count: number): Promise<void> {
  const job = join(dirname(file), '../jobs/whoami-static.nomad.hcl');
  await writeFile(job, (await readFile(job, 'utf8')).replace(/^ {4}count = \d+$/m, `    count = ${count}`));
  const text = (await readFile(file, 'utf8')).replaceAll(
    /(whoami-static[^\n]*\n\s+(?:job: whoami-static|type: SRV)\n\s+count: )\d+/g,
    `$1${count}`,
  );
  await writeFile(file, text);
  cluster = await loadCluster(file);
}

interface AllocStatusJson {
  allocations: {
    id: string;
    node: string;
    address: string;
    status: string;
    desired: string;
    ports: { label: string; port: number }[];
    tasks: { task: string; state: string; failed: boolean; lastEvent?: { type: string; message: string } }[];
  }[];
  placementFailures: string[];
}

/** `nomad-lab alloc status JOB --json`, as a student runs it. */
async function allocStatus(job: string): Promise<AllocStatusJson> {
  const result = await cli(['alloc', 'status', job, '-f', file, '--json']);
  if (result.exitCode !== 0) throw new Error(`alloc status ${job}: ${result.all}`);
  return JSON.parse(result.stdout) as AllocStatusJson;
}

/** Polls alloc status until `done` holds or `ms` run out; returns the last answer. */
async function allocStatusUntil(
  job: string,
  done: (status: AllocStatusJson) => boolean,
  ms = 120_000,
): Promise<AllocStatusJson> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await allocStatus(job);
    if (done(status) || Date.now() > deadline) return status;
    await sleep(2000);
  }
}

/** A command's stdout on a node, as root. */
const sh = async (node: string, script: string) => (await on(node).run(['sh', '-c', script], { sudo: true })).stdout;

async function nomadStop(job: string): Promise<void> {
  await on('server').run(['nomad', 'job', 'stop', '-purge', job]);
}

const databases = async (at: Instance, password: string) => {
  const result = await mysqlWithin(at, password, 'SHOW DATABASES');
  if (result.exitCode !== 0) throw new Error(`mariadb at ${at.address}:${at.port}: ${result.all}`);
  return result.stdout.split('\n');
};

test.serial(
  'verify passes: every enabled driver healthy on its node (raw_exec on client1 only), the services by SRV from ' +
    'every node',
  async (t) => {
    // Right after the up in test.before, with no grace period: up's last step waited for verify to pass.
    const report = await verifyCluster(cluster.spec);
    t.deepEqual(failures(report), []);
    const drivers = Object.fromEntries(
      report.results.filter((r) => r.name.includes(': drivers on ')).map((r) => [r.node ?? '', r.actual] as const),
    );
    t.deepEqual(drivers, { client1: 'docker healthy, raw_exec healthy', client2: 'docker healthy' });
    for (const service of ['todo-db', 'whoami-static', 'task-options', 'raw-exec', 'files'])
      t.true(
        report.results.some((r) => r.service === service && r.ok),
        service,
      );
    // The lookups the cluster file lists, asked of every node: an A lookup with the datacenter, tagged SRV both ways.
    const lookups = report.results.filter((r) => r.service === 'dns');
    t.is(lookups.length, 3 * 3);
    t.true(lookups.every((r) => r.ok));
  },
);

test.serial(
  "DNS as the workshop asks it, with BIND's dig: todo-db's A record with the datacenter, whoami-static's tagged SRV",
  async (t) => {
    const dig = async (...args: string[]) =>
      (await execa('dig', ['+short', `@${SERVER}`, '-p', '8600', ...args])).stdout.trim().split('\n').filter(Boolean);
    const [db] = await passingWithin('todo-db', 1);
    t.deepEqual(await dig('todo-db.service.dc1.consul'), [db!.address]);
    const tagged = await dig('SRV', 'http.whoami-static.service.consul');
    t.is(tagged.length, 1, tagged.join('\n'));
    t.regex(tagged[0]!, / 8080 [0-9a-f]{8}\.addr\.dc1\.consul\.$/);
    t.deepEqual(await dig('SRV', '_whoami-static._http.service.consul'), tagged);
    t.deepEqual(await dig('SRV', 'nosuchtag.whoami-static.service.consul'), []);
  },
);

test.serial(
  'whoami on the static port 8080: the count edit 1 -> 2 shown by plan and made by up, one instance on each ' +
    'client; a third waits, and alloc status says why',
  async (t) => {
    const one = await allocStatus('whoami-static');
    t.is(one.allocations.filter((a) => a.desired === 'run').length, 1);
    await setWhoamiCount(2);
    const plan = await cli(['plan', '-f', file]);
    t.regex(plan.stdout, /~ updated job whoami-static \(Nomad's plan shows a difference\)/, plan.all);
    t.regex(plan.stdout, /^plan: 1 change;/m, plan.all);
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 0, up.all);
    t.regex(up.stdout, /^server: updated job whoami-static$/m);

    const two = (await allocStatus('whoami-static')).allocations.filter(
      (a) => a.desired === 'run' && a.status === 'running',
    );
    t.deepEqual(two.map((a) => a.node).sort(), ['client1', 'client2']);
    const hostnames = new Set<string>();
    for (const alloc of two) {
      t.deepEqual(
        alloc.ports.map((p) => [p.label, p.port]),
        [['http', 8080]],
      );
      const answer = await fetch(`http://${alloc.address}:8080/`);
      t.is(answer.status, 200);
      hostnames.add(/^Hostname: (\S+)$/m.exec(await answer.text())?.[1] ?? '');
    }
    t.is(hostnames.size, 2, 'each client answers with its own container');

    // The same job with count 3, run by hand: two clients have one port 8080 each.
    const three = join(dirname(file), '../jobs/whoami-static-3.nomad.hcl');
    await writeFile(
      three,
      (await readFile(join(dirname(file), '../jobs/whoami-static.nomad.hcl'), 'utf8')).replace(
        /^ {4}count = 2$/m,
        '    count = 3',
      ),
    );
    await nomadRun(three);
    const waiting = await allocStatusUntil('whoami-static', (s) => s.placementFailures.length > 0, 60_000);
    t.deepEqual(waiting.placementFailures, [
      'whoami-static.whoami: 1 allocation not placed: Resources exhausted on 2 nodes; Dimension "network: ' +
        'reserved port collision http=8080" exhausted on 2 nodes',
    ]);
    t.is(waiting.allocations.filter((a) => a.desired === 'run' && a.status === 'running').length, 2);
    const text = await cli(['alloc', 'status', 'whoami-static', '-f', file]);
    t.regex(text.stdout, /^Placement failures\n {2}whoami-static\.whoami: 1 allocation not placed: /m);

    const logs = await cli(['alloc', 'logs', 'whoami-static', '--file', file]);
    t.is(logs.exitCode, 0, logs.all);
    for (const alloc of two)
      t.regex(
        logs.stdout,
        new RegExp(
          `^==> \\[${alloc.id.slice(0, 8)} ${alloc.node}\\] stdout of task whoami <==\nwhoami: serving \\S+ on :8080$`,
          'm',
        ),
      );
    const stderr = await cli(['alloc', 'logs', 'whoami-static', 'whoami', '--stderr', '--file', file]);
    t.regex(stderr.stdout, /: response:200$/m, 'busybox httpd -v logs each answer on stderr');
    // -f: both allocations' output at once, every line labelled, until Ctrl-C.
    const follow = execa('node', ['bin/nomad-lab.js', 'alloc', 'logs', 'whoami-static', '-f', '--file', file], {
      reject: false,
      all: true,
    });
    let followed = '';
    follow.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    const labelled = (alloc: { id: string; node: string }) =>
      new RegExp(`^\\[${alloc.id.slice(0, 8)} ${alloc.node}\\] whoami: serving \\S+ on :8080$`, 'm');
    for (let waited = 0; waited < 30_000 && !two.every((a) => labelled(a).test(followed)); waited += 500)
      await sleep(500);
    follow.kill('SIGINT');
    const ended = await follow;
    for (const alloc of two) t.regex(followed, labelled(alloc), ended.all);
    t.is(ended.exitCode, 130, ended.all);

    // up puts the file's count back: the waiting allocation is gone.
    const back = await cli(['up', '-f', file]);
    t.is(back.exitCode, 0, back.all);
    t.deepEqual(
      (await allocStatusUntil('whoami-static', (s) => s.placementFailures.length === 0, 30_000)).placementFailures,
      [],
    );
  },
);

test.serial(
  'task options reach Docker on the client: args, network_mode host, cap_add, labels, logging, a bind mount, ' +
    'CPU and memory limits; the page shows NOMAD_PORT_ and NOMAD_ADDR_',
  async (t) => {
    const [alloc] = (await allocStatus('task-options')).allocations.filter(
      (a) => a.desired === 'run' && a.status === 'running',
    );
    t.truthy(alloc);
    const port = alloc!.ports.find((p) => p.label === 'http')!.port;
    // Found by the job's own label: `labels` reached the container.
    const id = (await sh(alloc!.node, 'docker ps -q --filter label=episode=task-options')).trim();
    t.regex(id, /^[0-9a-f]{12}$/);
    const inspect = JSON.parse(await sh(alloc!.node, `docker inspect ${id}`)) as [
      {
        Args: string[];
        Config: { Labels: Record<string, string> };
        HostConfig: {
          NetworkMode: string;
          CapAdd: string[];
          Privileged: boolean;
          LogConfig: { Type: string; Config: Record<string, string> };
          Binds: string[];
          CpuShares: number;
          Memory: number;
        };
      },
    ];
    const { Args, Config, HostConfig } = inspect[0];
    t.deepEqual(Args, ['--listen', `${alloc!.address}:${port}`, '--greeting', `hello from args on port ${port}`]);
    t.is(Config.Labels.episode, 'task-options');
    t.is(HostConfig.NetworkMode, 'host');
    t.deepEqual(
      HostConfig.CapAdd.map((c) => c.toUpperCase().replace(/^CAP_/, '')),
      ['NET_ADMIN'],
    );
    t.false(HostConfig.Privileged);
    t.deepEqual(HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-file': '2', 'max-size': '1m' } });
    t.true(HostConfig.Binds.includes('/srv/nomad/shared:/www/shared:ro'));
    t.is(HostConfig.CpuShares, 150);
    t.is(HostConfig.Memory, 48 * 2 ** 20);

    const page = await (await fetch(`http://${alloc!.address}:${port}/`)).text();
    t.regex(page, new RegExp(`^NOMAD_PORT_http: ${port}$`, 'm'));
    t.regex(page, new RegExp(`^NOMAD_ADDR_http: ${alloc!.address.replaceAll('.', '\\.')}:${port}$`, 'm'));
    const capEff = BigInt(`0x${/^CapEff: ([0-9a-f]+)$/m.exec(page)?.[1] ?? '0'}`);
    t.is((capEff >> 12n) & 1n, 1n, 'CAP_NET_ADMIN (12) is effective');
    // What the node puts in the host folder, the task serves.
    const word = `shared ${Date.now()}`;
    await sh(alloc!.node, `printf '%s' '${word}' > /srv/nomad/shared/hello.txt`);
    t.is(await (await fetch(`http://${alloc!.address}:${port}/shared/hello.txt`)).text(), word);
  },
);

test.serial(
  'raw_exec: perl runs on client1 itself, as root, on the port Nomad gave it; alloc logs shows the requests',
  async (t) => {
    const [alloc] = (await allocStatus('raw-exec')).allocations.filter(
      (a) => a.desired === 'run' && a.status === 'running',
    );
    t.is(alloc?.node, 'client1', 'raw_exec is enabled on client1 only');
    const port = alloc!.ports[0]!.port;
    const body = await (await fetch(`http://${alloc!.address}:${port}/`)).text();
    t.regex(
      body,
      new RegExp(
        `^raw_exec on ${alloc!.address.replaceAll('.', '\\.')}:${port}, pid (\\d+), uid 0, alloc ${alloc!.id}\n$`,
      ),
    );
    const pid = /pid (\d+)/.exec(body)![1]!;
    // The pid is one of the node's own processes: no container between.
    t.regex(await sh('client1', `cat /proc/${pid}/cmdline | tr '\\0' ' '`), /^\/usr\/bin\/perl \S+\/serve\.pl $/);
    const logs = await cli(['alloc', 'logs', 'raw-exec', '--file', file]);
    t.regex(
      logs.stdout,
      new RegExp(`^raw-exec: serving on ${alloc!.address.replaceAll('.', '\\.')}:${port} as uid 0$`, 'm'),
    );
    t.regex(logs.stdout, /^raw-exec: GET \/ HTTP\/1\.1$/m);
  },
);

test.serial(
  'privileged: every capability where the client has them all; else Docker cannot apply them, and alloc status says so',
  async (t) => {
    await nomadRun('jobs/privileged.nomad.hcl');
    const status = await allocStatusUntil('privileged', (s) =>
      s.allocations.some((a) => a.status === 'complete' || a.status === 'failed'),
    );
    const [alloc] = status.allocations;
    t.truthy(alloc, JSON.stringify(status));
    const bounding = BigInt(`0x${/^CapBnd:\s+([0-9a-f]+)$/m.exec(await sh(alloc!.node, 'cat /proc/self/status'))![1]}`);
    if (((bounding >> 24n) & 1n) === 1n) {
      t.is(alloc!.status, 'complete', JSON.stringify(alloc));
      const logs = await cli(['alloc', 'logs', 'privileged', '--file', file]);
      t.regex(logs.stdout, /^CapEff:\s+0*[13]?f{9,}$/m);
      t.regex(logs.stdout, /nomadlab0/);
    } else {
      // The node lacks CAP_SYS_RESOURCE (a container host here): runc cannot give a privileged container all caps.
      t.is(alloc!.status, 'failed');
      t.like(alloc!.tasks[0], { failed: true, lastEvent: { type: 'Driver Failure' } });
      t.regex(alloc!.tasks[0]!.lastEvent!.message, /unable to apply caps: operation not permitted/);
    }
    await nomadStop('privileged');
  },
);

test.serial("the docker plugin's options reached the clients", async (t) => {
  const nodes = JSON.parse(
    (await on('server').run(['curl', '-sf', 'http://127.0.0.1:4646/v1/nodes?resources=false'])).stdout,
  ) as { ID: string; Name: string }[];
  for (const node of nodes) {
    const attributes = (
      JSON.parse((await on('server').run(['curl', '-sf', `http://127.0.0.1:4646/v1/node/${node.ID}`])).stdout) as {
        Attributes: Record<string, string>;
      }
    ).Attributes;
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
  const response = await fetch(
    `http://${at.address}:${at.port}/`,
    item === undefined ? {} : { method: 'POST', body: item },
  );
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

test.serial(
  'todo: an item added through each web instance is read back through every one, and survives a restart of todo-db',
  async (t) => {
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
      for (const item of items)
        t.true(list.body.includes(item), `after the restart, ${web.address}:${web.port}: ${list.body}`);
    }
  },
);

test.serial(
  'todo as one group: verify proves todo-db and todo-web by SRV, and an item goes round trip; up brings the two ' +
    'jobs back',
  async (t) => {
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
    t.deepEqual(failures(await verifyCluster(cluster.spec)), []);
  },
);

/** Every passing todo-web instance's page, once there are `count` and each page matches. */
async function todoPagesWithin(count: number, match: RegExp, ms = 180_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const webs = await passing('todo-web').catch(() => []);
    const pages = await Promise.all(
      webs.map(async (w) => (await todo(w).catch((error: Error) => ({ body: error.message }))).body),
    );
    if ((webs.length === count && pages.every((p) => match.test(p))) || Date.now() > deadline) return pages;
    await sleep(2000);
  }
}

test.serial(
  "todo v3: the configuration an artifact from the lab's file server, rendered from Consul by a template; a new " +
    'version of it changes what the app serves',
  async (t) => {
    const [db] = await passingWithin('todo-db', 1);
    await nomadRun('jobs/todo-web-v3.nomad.hcl');
    const first = await todoPagesWithin(2, /^To-do list \(configuration 1\)$/m);
    t.is(first.length, 2);
    for (const page of first)
      t.regex(
        page,
        new RegExp(
          `^todo-web \\S+ found todo-db at ${db!.address.replaceAll('.', '\\.')}:${db!.port} \\(DB_ADDRESS and ` +
            `DB_PORT from the template\\)$`,
          'm',
        ),
      );
    const rendered = await allocStatus('todo-web');
    t.true(rendered.allocations.filter((a) => a.desired === 'run').every((a) => a.status === 'running'));

    // Version 2 of the configuration: published by the file server, then asked for by todo-web.
    const files = join(dirname(file), '../jobs/files.nomad.hcl');
    const text = await readFile(files, 'utf8');
    const template = /\n {6}template \{[\s\S]*?\n {6}\}\n/.exec(text)![0];
    const second = template
      .replace('todo-web-1.tpl', 'todo-web-2.tpl')
      .replace('(configuration 1)', '(configuration 2, from the artifact)');
    await writeFile(files, text.replace(template, `${template}${second}`));
    const plan = await cli(['plan', '-f', file]);
    t.regex(plan.stdout, /~ updated job files /, plan.all);
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 0, up.all);
    t.is(
      (await fetch(`http://${(await passingWithin('files', 1))[0]!.address}:8070/todo-web-1.tpl`)).status,
      200,
      'version 1 is still served',
    );
    await nomadRun('jobs/todo-web-v3.nomad.hcl', ['-var', 'config=2']);
    const again = await todoPagesWithin(2, /^To-do list \(configuration 2, from the artifact\)$/m);
    t.is(again.length, 2);
    for (const page of again) t.regex(page, /^To-do list \(configuration 2, from the artifact\)$/m);

    // up registers the file's todo-web (version 2) again; verify passes.
    const back = await cli(['up', '-f', file]);
    t.is(back.exitCode, 0, back.all);
    t.deepEqual(failures(await verifyCluster(cluster.spec)), []);
  },
);
