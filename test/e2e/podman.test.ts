import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';

// The podman task driver on a real lab: examples/podman.yaml (a server, and a client with podman enabled beside
// Docker) under its own name and subnet, with the nomad-driver-podman plugin built from the release source in
// ../shared/upstream/ (where CI keeps it, beside the clone). `up` installs podman on the client, puts the plugin
// in Nomad's plugin_dir and runs jobs/podman.nomad.hcl; verify finds the driver healthy and the service by SRV.

const LAB = 'e2e-podman';
const SUBNET = '10.101.0';
/** The upstream release source, relative to the repository root as CI lays it out. */
const ARCHIVE = resolve('..', 'shared', 'upstream', 'nomad-driver-podman-0.6.5.tar.gz');
let file = '';
let cluster: Cluster;
const outputs: string[] = [];

/** A command on client1 through `nomad-lab ssh`, as a student runs it. */
const onClient = async (...command: string[]) => {
  const result = await cli(['ssh', '-f', file, 'client1', '--', ...command]);
  outputs.push(result.all);
  return result;
};

test.before(async () => {
  await requirePreparedHost();
  const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${LAB}-`));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  await cp('examples/podman.yaml', join(dir, 'examples', 'podman.yaml'));
  file = join(dir, 'examples', 'podman.yaml');
  const text = (await readFile(file, 'utf8'))
    .replace('name: nomad-podman', `name: ${LAB}`)
    .replaceAll('10.81.0', SUBNET)
    .replace(/archive: .*/, `archive: ${ARCHIVE}`);
  await writeFile(file, text);
  cluster = await loadCluster(file);
  const started = Date.now();
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  if (up.exitCode !== 0) throw new Error(`nomad-lab up failed:\n${up.all}`);
  console.log(`${LAB}: first up took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    up.stdout
      .split('\n')
      .filter((l) => /^(up:|client1:)/.test(l))
      .join('\n'),
  );
});

test.after.always(async () => {
  if (file) await cli(['down', '-f', file]);
});

test.serial('the lab enables podman on client1 only, and its archive is the pinned upstream source', (t) => {
  t.deepEqual(
    cluster.spec.nodes.map((n) => [n.name, n.drivers?.podman?.enabled ?? false]),
    [
      ['server', false],
      ['client1', true],
    ],
  );
  t.is(cluster.spec.artifacts.podman.archive, ARCHIVE);
});

test.serial(
  'verify passes: docker and podman healthy on client1, podman-web resolved by SRV and reached',
  async (t) => {
    // Once, with no grace period: up's last step waited for verify to pass.
    const result = await cli(['verify', '-f', file, '--json']);
    outputs.push(result.all);
    const report = JSON.parse(result.stdout) as VerifyReport;
    t.deepEqual(failures(report), []);
    t.is(result.exitCode, 0);
    const drivers = report.results.filter((r) => r.name.includes(': drivers on '));
    t.deepEqual(
      drivers.map((r) => [r.node, r.actual]),
      [['client1', 'docker healthy, podman healthy']],
    );
    const web = report.results.filter((r) => r.service === 'podman-web');
    t.true(web.length > 0 && web.every((r) => r.ok));
    t.log(web.map((r) => `${r.name}: ${r.actual}`).join('\n'));
  },
);

test.serial("podman ps on the client lists the task's container, with the job's options applied", async (t) => {
  const ps = await onClient(
    'sudo',
    'podman',
    'ps',
    '--format',
    '{{.Names}} {{.Image}} {{index .Labels "com.hashicorp.nomad.job_name"}}',
  );
  t.is(ps.exitCode, 0, ps.all);
  t.log(ps.stdout);
  const line = ps.stdout.split('\n').find((l) => l.includes('nomadlab/toolbox:1'));
  t.truthy(line, ps.stdout);
  const [name = ''] = (line ?? '').split(' ');
  t.regex(line ?? '', / podman-web$/, 'extra_labels: the job_name label (com.hashicorp.nomad.job_name)');
  // The task's options, as podman itself reports them.
  const inspect = await onClient(
    'sudo',
    'podman',
    'inspect',
    '--format',
    '{{.Config.Hostname}} {{.Config.User}} {{.HostConfig.Init}} {{.HostConfig.MemoryReservation}}',
    name,
  );
  t.is(inspect.exitCode, 0, inspect.all);
  t.is(inspect.stdout.trim(), `podman-web 65534:65534 true ${16 * 2 ** 20}`);
  // Docker on the same client runs no such container: the task is podman's.
  const docker = await onClient('sudo', 'docker', 'ps', '--format', '{{.Image}}');
  t.false(docker.stdout.includes('nomadlab/toolbox'), docker.stdout);
});

test.serial('the page comes from the task folder through the volume, served by the unprivileged httpd', async (t) => {
  const address = cluster.spec.nodes.find((n) => n.name === 'client1')!.address;
  const ports = await onClient('sudo', 'podman', 'ps', '--format', '{{.Ports}}');
  const port = /:(\d+)->8080\/tcp/.exec(ports.stdout)?.[1];
  t.truthy(port, ports.stdout);
  const page = await fetch(`http://${address}:${port}/`);
  t.is(page.status, 200);
  t.is(await page.text(), 'hello from podman on client1\n');
});

test.serial("the rendered client.hcl, with the podman plugin's block, passes nomad config validate", async (t) => {
  const hcl = await onClient('sudo', 'cat', '/etc/nomad.d/client.hcl');
  t.regex(hcl.stdout, /plugin "nomad-driver-podman" \{/);
  t.regex(hcl.stdout, /socket_path += "unix:\/\/\/run\/podman\/podman\.sock"/);
  const validate = await onClient('sudo', 'env', '-u', 'AWS_CA_BUNDLE', 'nomad', 'config', 'validate', '/etc/nomad.d');
  t.is(validate.exitCode, 0, validate.all);
  t.regex(validate.stdout, /Configuration is valid!/);
  const plugin = await onClient('sudo', 'test', '-x', '/opt/nomad/plugins/nomad-driver-podman');
  t.is(plugin.exitCode, 0, 'the plugin is in plugin_dir');
});

test.serial('a second up changes nothing', async (t) => {
  const started = Date.now();
  const up = await cli(['up', '-f', file], { CI: 'true' });
  outputs.push(up.all);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
  t.log(`${up.stdout.split('\n').find((l) => l.startsWith('up:'))} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
});
