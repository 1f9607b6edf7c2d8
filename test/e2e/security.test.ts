import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import { labStateDir } from '../../src/host/dirs.ts';
import { labVerifyOptions } from '../../src/lab-access.ts';
import type { AclTokens } from '../../src/lab-secrets.ts';
import { readLabSecurity, type LabSecurity } from '../../src/state/security.ts';
import { httpGet, type HttpAuth } from '../../src/verify/probes.ts';
import { verifyCluster, type VerifyReport } from '../../src/verify/index.ts';
import { cli, defaultLabCopy, failures, requirePreparedHost } from './helpers.ts';

// `security: { acl: true, tls: true }` on a real lab: the default lab's layout cut to one server and one client,
// under its own name and subnet. `up` bootstraps the ACLs and hands out certificates; verify, status and reset
// work through them; anonymous requests are refused; a second `up` changes nothing; no secret is ever printed.

const LAB = 'e2e-sec';
const SUBNET = '10.99.12';
let file = '';
let cluster: Cluster;
let security: LabSecurity;
const outputs: string[] = [];

test.before(async () => {
  await requirePreparedHost();
  file = await defaultLabCopy(LAB, SUBNET);
  const text = (await readFile(file, 'utf8'))
    .replace(/ {2}- name: client2\n {4}role: client\n {4}address: [\d.]+\n/, '')
    .replace('\njobs:\n', '\nsecurity:\n  acl: true\n  tls: true\n\njobs:\n');
  await writeFile(file, text);
  cluster = await loadCluster(file);
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  if (up.exitCode !== 0) throw new Error(`nomad-lab up failed:\n${up.all}`);
  console.log(
    up.stdout
      .split('\n')
      .filter((l) => /^(up:|server:|client1:)/.test(l))
      .join('\n'),
  );
  security = await readLabSecurity(cluster);
});

test.after.always(async () => {
  if (file) await cli(['down', '-f', file]);
});

const server = () => cluster.spec.nodes.find((n) => n.role === 'server')!.address;
const tls = () => ({ ca: security.tls!.ca, ...security.tls!.cli });

test.serial('the lab is the two-node layout with both settings on', (t) => {
  t.deepEqual(
    cluster.spec.nodes.map((n) => n.name),
    ['server', 'client1'],
  );
  t.deepEqual(cluster.spec.security, { acl: true, tls: true });
});

test.serial('tokens, the CA key and the node keys are in the state folder, mode 0600, in a 0700 folder', async (t) => {
  const dir = labStateDir(cluster);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(join(dir, 'tls'))).mode & 0o777, 0o700);
  const files = [
    ...(await readdir(dir)).filter((f) => f.endsWith('.token')),
    ...(await readdir(join(dir, 'tls'))).map((f) => `tls/${f}`),
  ];
  t.true(
    files.includes('nomad-management.token') &&
      files.includes('consul-management.token') &&
      files.includes('tls/ca-key.pem'),
    files.join(', '),
  );
  for (const f of files) t.is((await stat(join(dir, f))).mode & 0o777, 0o600, f);
});

test.serial('verify passes through the ACLs and TLS, from the CLI and the library', async (t) => {
  // Once, with no grace period: up's last step waited for verify to pass.
  const result = await cli(['verify', '-f', file, '--json']);
  outputs.push(result.all);
  const report = JSON.parse(result.stdout) as VerifyReport;
  t.deepEqual(failures(report), []);
  t.is(result.exitCode, 0);
  t.true(report.results.some((r) => r.name === 'consul: member client1'));
  t.deepEqual(failures(await verifyCluster(cluster.spec, await labVerifyOptions(cluster))), []);
});

const nomadUrl = (path: string) => `https://${server()}:4646${path}`;
const consulUrl = (path: string) => `https://${server()}:8501${path}`;
const get = (url: string, auth: HttpAuth = {}) => httpGet(url, 5000, auth);

test.serial(
  'without a client certificate the TLS handshake is refused (verify_incoming, verify_https_client)',
  async (t) => {
    for (const url of [nomadUrl('/v1/status/leader'), consulUrl('/v1/status/leader')]) {
      // The lab CA is trusted (the same request with the certificate succeeds below): only the client certificate is
      // missing.
      const error = await t.throwsAsync(get(url, { tls: { ca: security.tls!.ca } }), undefined, url);
      t.regex(error.message, /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|certificate required|bad certificate/i, url);
      t.log(`${url}: ${error.message}`);
    }
    t.is((await get(nomadUrl('/v1/status/leader'), { tls: tls() })).status, 200);
    // Plain HTTP: Consul's port 8500 is closed, Nomad's 4646 speaks only TLS.
    await t.throwsAsync(get(`http://${server()}:8500/v1/status/leader`), { message: /ECONNREFUSED/ });
    const plain = await get(`http://${server()}:4646/v1/status/leader`);
    t.is(plain.status, 400);
    t.regex(plain.body, /HTTP request to an HTTPS server/);
  },
);

test.serial(
  'with the lab certificate but no token: HTTP 403 from both APIs; with the management token: 200',
  async (t) => {
    const anonymous = { tls: tls() };
    t.is((await get(nomadUrl('/v1/jobs'), anonymous)).status, 403);
    t.is((await get(nomadUrl('/v1/nodes'), anonymous)).status, 403);
    t.is((await get(consulUrl('/v1/agent/self'), anonymous)).status, 403);
    t.is((await get(consulUrl('/v1/acl/tokens'), anonymous)).status, 403);
    t.deepEqual(
      JSON.parse((await get(consulUrl('/v1/catalog/services'), anonymous)).body),
      {},
      'anonymous sees no service',
    );
    t.is(
      (await get(nomadUrl('/v1/jobs'), { tls: tls(), headers: { 'X-Nomad-Token': security.acl!.nomadManagement } }))
        .status,
      200,
    );
    t.is(
      (
        await get(consulUrl('/v1/agent/self'), {
          tls: tls(),
          headers: { 'X-Consul-Token': security.acl!.consulManagement },
        })
      ).status,
      200,
    );
  },
);

test.serial('the first up made the ACLs as changes it lists: each policy and token, then one bootstrap', (t) => {
  const made = outputs[0]!.split('\n').filter((l) => /^server: (created|bootstrapped)/.test(l));
  t.deepEqual(made, [
    'server: created Consul ACL policy nomad-lab-agent',
    "server: created Consul ACL token nomad-lab-agent (its secret is in the lab's state folder)",
    'server: created Consul ACL policy nomad-lab-dns',
    "server: created Consul ACL token nomad-lab-dns (its secret is in the lab's state folder)",
    'server: created Consul ACL policy nomad-lab-nomad',
    "server: created Consul ACL token nomad-lab-nomad (its secret is in the lab's state folder)",
    "server: bootstrapped Nomad ACLs (the management token is in the lab's state folder)",
  ]);
});

test.serial('a second up changes nothing (no second bootstrap, no new token or certificate)', async (t) => {
  const caBefore = await readFile(join(labStateDir(cluster), 'tls', 'ca.pem'), 'utf8');
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
  t.log(up.stdout.split('\n').find((l) => l.startsWith('up:')));
  t.is(await readFile(join(labStateDir(cluster), 'tls', 'ca.pem'), 'utf8'), caBefore);
  t.deepEqual(await readLabSecurity(cluster).then((s) => s.acl), security.acl);
});

test.serial('plan and status work through the ACLs and TLS', async (t) => {
  const plan = await cli(['plan', '-f', file]);
  outputs.push(plan.all);
  t.is(plan.stdout.trim(), 'plan: 0 changes, the lab is as cluster.yaml says', plan.all);
  const status = await cli(['status', '-f', file, '--json']);
  outputs.push(status.all);
  t.is(status.exitCode, 0, status.all);
  const parsed = JSON.parse(status.stdout) as {
    problems: string[];
    consul: unknown[];
    nomad?: { jobs: { id: string }[] };
    urls: { nomadUi: string };
  };
  t.deepEqual(parsed.problems, []);
  t.is(parsed.consul.length, 2);
  t.deepEqual(parsed.nomad?.jobs.map((j) => j.id).sort(), ['stateful', 'web-db', 'whoami']);
  t.is(parsed.urls.nomadUi, `https://${server()}:4646/ui/`);
});

test.serial("the lab's own nomad and consul CLIs reach it with the tokens and certificate from env", async (t) => {
  const nomad = await cli(['nomad', '-f', file, 'job', 'status']);
  t.is(nomad.exitCode, 0, nomad.all);
  t.regex(nomad.stdout, /whoami/);
  const consul = await cli(['consul', '-f', file, 'catalog', 'services']);
  t.is(consul.exitCode, 0, consul.all);
  t.regex(consul.stdout, /whoami/);
  const env = await cli(['env', '-f', file]);
  outputs.push(env.all);
  t.regex(env.stdout, /^export NOMAD_ADDR=https:\/\/10\.99\.12\.10:4646$/m);
  t.regex(env.stdout, /^export CONSUL_HTTP_TOKEN_FILE=/m);
});

test.serial('alloc status and alloc logs work through the ACLs and TLS', async (t) => {
  const status = await cli(['alloc', 'status', 'whoami', '-f', file, '--json']);
  outputs.push(status.all);
  t.is(status.exitCode, 0, status.all);
  const parsed = JSON.parse(status.stdout) as {
    allocations: { status: string; desired: string; ports: { label: string }[] }[];
  };
  const running = parsed.allocations.filter((a) => a.desired === 'run' && a.status === 'running');
  t.true(running.length > 0, status.stdout);
  t.true(running.every((a) => a.ports.some((p) => p.label === 'http')));
  const logs = await cli(['alloc', 'logs', 'whoami', '--file', file]);
  outputs.push(logs.all);
  t.is(logs.exitCode, 0, logs.all);
  t.regex(logs.stdout, /whoami: serving \S+ on :8080/);
});

test.serial('reset removes the jobs through the ACLs and TLS', async (t) => {
  const reset = await cli(['reset', '-f', file], { CI: 'true' });
  outputs.push(reset.all);
  t.is(reset.exitCode, 0, reset.all);
  const status = JSON.parse((await cli(['status', '-f', file, '--json'])).stdout) as { nomad?: { jobs: unknown[] } };
  t.deepEqual(status.nomad?.jobs, []);
});

test.serial(
  'no token and no private key ever appeared in the output of up, verify, plan, status, alloc, env or reset',
  (t) => {
    const secrets = [
      ...Object.values(security.acl! as Record<keyof AclTokens, string>),
      security.tls!.cli.key,
      ...[...security.tls!.nodes.values()].map((p) => p.key),
    ];
    const all = outputs.join('\n');
    t.true(all.length > 0);
    for (const secret of secrets) t.false(all.includes(secret.trim()), 'a secret was printed');
    t.false(/BEGIN (EC )?PRIVATE KEY/.test(all));
  },
);
