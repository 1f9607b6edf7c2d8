import { cp, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { labStateDir } from '../../src/host/dirs.ts';
import { readLabSecurity } from '../../src/state/security.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';

// examples/registry.yaml on a real lab, under its own name and subnet: Debian's docker-registry on the server with a
// password and the lab CA's certificate; `up` pushes whoami there and the client pulls it with the credentials up
// gave its docker plugin. The registry's own log shows the pull; a pull without credentials is refused; a job with a
// wrong password in its `auth` block is a failed allocation that verify names; a second up changes nothing.

const LAB = 'e2e-registry';
const SUBNET = '10.102.0';
const EXAMPLE_SUBNET = '10.82.0';
const REGISTRY = `${SUBNET}.10:5000`;
let file = '';
let dir = '';
let cluster: Cluster;
let password = '';
const outputs: string[] = [];

/** The example and its job files in a folder of their own, the lab's name and subnet replaced. */
async function exampleCopy(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), `nomad-lab-${LAB}-`));
  await mkdir(join(dir, 'examples'));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  for (const job of ['registry-whoami', 'registry-bad-auth', 'registry-task-auth']) {
    const path = join(dir, 'jobs', `${job}.nomad.hcl`);
    await writeFile(path, (await readFile(path, 'utf8')).replaceAll(EXAMPLE_SUBNET, SUBNET));
  }
  const text = (await readFile('examples/registry.yaml', 'utf8'))
    .replace('name: nomad-registry', `name: ${LAB}`)
    .replaceAll(EXAMPLE_SUBNET, SUBNET);
  const path = join(dir, 'examples', 'registry.yaml');
  await writeFile(path, text);
  return path;
}

const on = (node: string, command: string) => cli(['ssh', '-f', file, node, '--', 'sudo', 'sh', '-c', command]);

test.before(async () => {
  await requirePreparedHost();
  file = await exampleCopy();
  cluster = await loadCluster(file);
  const started = Date.now();
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  if (up.exitCode !== 0) throw new Error(`nomad-lab up failed:\n${up.all}`);
  console.log(`up: ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(
    up.stdout
      .split('\n')
      .filter((l) => /^(up:|server:|client1:)/.test(l))
      .join('\n'),
  );
  password = (await readLabSecurity(cluster)).registry!.credentials.password;
});

test.after.always(async () => {
  if (file) await cli(['down', '-f', file]);
});

test.serial('up pushed the job image to the registry and preloaded nothing on the client', (t) => {
  const lines = outputs[0]!.split('\n');
  t.true(
    lines.some((l) => l.startsWith(`server: pushed ${REGISTRY}/nomadlab/whoami:1 to the registry`)),
    outputs[0],
  );
  t.false(lines.some((l) => /^client1: loaded .* into docker/.test(l)));
});

test.serial(
  'the password is in the state folder, mode 0600; `nomad-lab registry` prints it only when asked',
  async (t) => {
    const state = labStateDir(cluster);
    t.is((await stat(join(state, 'registry.password'))).mode & 0o777, 0o600);
    t.is((await stat(join(state, 'registry.htpasswd'))).mode & 0o777, 0o600);
    const shown = await cli(['registry', '-f', file]);
    outputs.push(shown.all);
    t.is(shown.exitCode, 0, shown.all);
    t.regex(shown.stdout, new RegExp(`^registry  https://${REGISTRY.replaceAll('.', '\\.')} `, 'm'));
    t.false(shown.stdout.includes(password));
    const asked = await cli(['registry', '-f', file, '--password']);
    t.is(asked.stdout.trim(), password);
  },
);

test.serial('verify passes; the service runs from the pulled image', async (t) => {
  const result = await cli(['verify', '-f', file, '--json']);
  outputs.push(result.all);
  const report = JSON.parse(result.stdout) as VerifyReport;
  t.deepEqual(failures(report), []);
  t.true(report.results.some((r) => r.name === 'nomad: job registry-whoami' && r.ok));
  const images = await on('client1', 'docker images --format "{{.Repository}}:{{.Tag}}"');
  t.regex(images.stdout, new RegExp(`^${REGISTRY.replaceAll('.', '\\.')}/nomadlab/whoami:1$`, 'm'), images.all);
  t.notRegex(images.stdout, /^nomadlab\/whoami:/m, 'not preloaded');
});

test.serial("the registry's access log shows the client's authenticated pull", async (t) => {
  const log = await on('server', 'journalctl -u docker-registry --no-pager -o cat');
  t.is(log.exitCode, 0, log.all);
  const client = `${SUBNET}.11`;
  const lines = log.stdout.split('\n').filter((l) => l.includes(client) && l.includes('/v2/nomadlab/whoami/'));
  // The access log proper (combined format): client1's Docker fetched the image, answered 200.
  const pulls = lines.filter((l) => /"GET \/v2\/nomadlab\/whoami\/\S+ HTTP\/1\.1" 200 .*"docker\//.test(l));
  // The registry's own request log: htpasswd let each of them through ("authorized request").
  const authorized = lines.filter(
    (l) => l.includes('msg="authorized request"') && l.includes(`http.request.remoteaddr="${client}:`),
  );
  t.log([pulls[0], authorized[0]].join('\n'));
  t.true(pulls.length > 0, `client1's docker GETs in the access log:\n${lines.slice(0, 20).join('\n')}`);
  t.true(authorized.length > 0, `client1's GETs authorized by htpasswd:\n${lines.slice(0, 20).join('\n')}`);
});

test.serial('without credentials the registry refuses: HTTP 401, and docker pull is denied', async (t) => {
  const curl = await on(
    'client1',
    `curl -s -o /dev/null -w '%{http_code}' --cacert /etc/docker/certs.d/${REGISTRY}/ca.crt ` +
      `https://${REGISTRY}/v2/nomadlab/whoami/manifests/1`,
  );
  t.is(curl.stdout.trim(), '401', curl.all);
  // Docker's own pull, with an empty config (no credentials): the same refusal.
  const pull = await on('client1', `DOCKER_CONFIG=$(mktemp -d) docker pull ${REGISTRY}/nomadlab/whoami:1 2>&1`);
  t.not(pull.exitCode, 0);
  t.regex(pull.stdout, /no basic auth credentials|unauthorized|authentication required/i, pull.all);
});

test.serial("a task's own auth block pulls with the right password", async (t) => {
  const run = await cli([
    'nomad',
    '-f',
    file,
    'job',
    'run',
    '-var',
    `registry_password=${password}`,
    join(dir, 'jobs', 'registry-task-auth.nomad.hcl'),
  ]);
  t.is(run.exitCode, 0, run.all);
  t.regex(run.stdout, /Deployment "[0-9a-f]+" successful|finished with status "complete"/);
  await cli(['nomad', '-f', file, 'job', 'stop', '-purge', 'registry-task-auth']);
});

test.serial('a wrong password in a task auth block is a failed allocation that verify names', async (t) => {
  const run = await cli([
    'nomad',
    '-f',
    file,
    'job',
    'run',
    '-detach',
    join(dir, 'jobs', 'registry-bad-auth.nomad.hcl'),
  ]);
  t.is(run.exitCode, 0, run.all);
  let report: VerifyReport | undefined;
  let exitCode: number | undefined;
  for (let i = 0; i < 45; i++) {
    const result = await cli(['verify', '-f', file, '--json']);
    report = JSON.parse(result.stdout) as VerifyReport;
    exitCode = result.exitCode;
    if (!report.ok) break;
    await sleep(2000);
  }
  const named = report!.results.find((r) => r.name === 'nomad: job registry-bad-auth');
  t.is(exitCode, 1);
  t.false(named?.ok ?? true, JSON.stringify(report!.results.filter((r) => !r.ok)));
  t.log(named?.actual);
  t.regex(named!.actual, / on client1, task whoami: /);
  t.regex(named!.actual, /unauthorized|authentication required|pull access denied/i);
  const table = await cli(['verify', '-f', file]);
  outputs.push(table.all);
  t.regex(table.all, /registry-bad-auth/);
  await cli(['nomad', '-f', file, 'job', 'stop', '-purge', 'registry-bad-auth']);
});

test.serial('a second up changes nothing, and plan says so', async (t) => {
  const started = Date.now();
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m, up.stdout);
  t.log(`second up: ${Math.round((Date.now() - started) / 1000)} s`);
  const plan = await cli(['plan', '-f', file]);
  outputs.push(plan.all);
  t.is(plan.stdout.trim(), 'plan: 0 changes, the lab is as cluster.yaml says', plan.all);
});

test.serial('the password never appeared in the output of up, plan, verify or registry', (t) => {
  const all = outputs.join('\n');
  t.true(all.length > 0);
  t.false(all.includes(password), 'the password was printed');
  t.false(all.includes(Buffer.from(`nomadlab:${password}`).toString('base64')), 'the auth was printed');
});
