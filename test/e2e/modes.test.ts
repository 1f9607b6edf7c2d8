import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { loadCluster } from '../../src/config/load.ts';
import { closeAll, openSessions } from '../../src/sessions.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';

// The two other ways a lab runs its agents, each a one-node lab of the example under its own name and subnet, up and
// down in turn: `mode: dev` (`consul agent -dev` and `nomad agent -dev` as systemd services) and `mode: container`
// (Nomad a container of the node's Docker, starting its tasks beside it). Each: up, verify passes (whoami's SRV
// records resolved and its instances reached), what runs on the node, a second up and plan changing nothing, down
// leaving no machine.

const LABS = {
  dev: {
    example: 'examples/dev-mode.yaml',
    name: 'nomad-dev-mode',
    lab: 'e2e-devmode',
    subnet: ['10.83.0', '10.103.0'],
  },
  container: {
    example: 'examples/container-mode.yaml',
    name: 'nomad-container',
    lab: 'e2e-ctrmode',
    subnet: ['10.84.0', '10.104.0'],
  },
} as const;
type Mode = keyof typeof LABS;

const files: string[] = [];

test.before(async () => {
  await requirePreparedHost();
});

test.after.always(async () => {
  for (const file of files) await cli(['down', '-f', file]);
});

/** The example under the lab's own name and subnet, with the jobs beside it as the example has them. */
async function labFile(mode: Mode): Promise<string> {
  const { example, name, lab, subnet } = LABS[mode];
  const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${lab}-`));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  await mkdir(join(dir, 'examples'));
  const file = join(dir, example);
  const text = (await readFile(example, 'utf8'))
    .replace(`name: ${name}`, `name: ${lab}`)
    .replaceAll(subnet[0], subnet[1]);
  await writeFile(file, text);
  files.push(file);
  return file;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** up, verify, what `inspect` finds on the node, a second up with 0 changes, down with nothing left. */
async function lifecycle(t: ExecutionContext, mode: Mode, inspect: (run: NodeRun) => Promise<void>): Promise<void> {
  const file = await labFile(mode);
  const cluster = await loadCluster(file);
  t.is(cluster.spec.mode, mode);

  let since = Date.now();
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.log(`up: ${seconds(since)}`);

  since = Date.now();
  const verify = await cli(['verify', '-f', file, '--json']);
  const report = JSON.parse(verify.stdout) as VerifyReport;
  t.deepEqual(failures(report), []);
  t.is(verify.exitCode, 0);
  const node = cluster.spec.nodes[0]!.name;
  const passed = (name: string) => report.results.some((r) => r.ok && r.name === name);
  t.true(passed(`whoami: SRV from ${node}`), 'whoami resolved by SRV');
  t.true(
    report.results.filter((r) => r.ok && r.name.startsWith(`whoami: port `)).length >= 2,
    'both instances answered',
  );
  t.log(`verify: ${seconds(since)}, ${report.results.length} checks`);

  const remotes = await openSessions(cluster);
  try {
    const remote = remotes.get(node)!;
    await inspect(async (argv) => (await remote.run(argv, { sudo: true })).stdout);
  } finally {
    await closeAll(remotes);
  }

  since = Date.now();
  const again = await cli(['up', '-f', file]);
  t.is(again.exitCode, 0, again.all);
  t.regex(again.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
  t.log(`second up: ${seconds(since)}`);
  const plan = await cli(['plan', '-f', file]);
  t.is(plan.stdout.trim(), 'plan: 0 changes, the lab is as cluster.yaml says', plan.all);

  since = Date.now();
  const down = await cli(['down', '-f', file]);
  t.is(down.exitCode, 0, down.all);
  t.log(`down: ${seconds(since)}`);
  const left = await execa('docker', ['ps', '-aq', '--filter', `name=^${LABS[mode].lab}-`]);
  t.is(left.stdout, '', 'no node container left');
}

type NodeRun = (argv: string[]) => Promise<string>;

test.serial('mode dev: consul agent -dev and nomad agent -dev on the node, verify passes, up again, down', (t) =>
  lifecycle(t, 'dev', async (run) => {
    const processes = await run(['ps', '-eo', 'args']);
    t.regex(processes, /^\/usr\/local\/bin\/nomad agent -dev -bind 10\.103\.0\.10 /m);
    t.regex(processes, /^\/usr\/local\/bin\/consul agent -dev -bind 10\.103\.0\.10 /m);
    // Its data in temporary folders under the lab's own (TMPDIR), which the unit removes when it stops.
    t.regex(await run(['ls', '/tmp/nomad-lab-dev']), /^NomadClient\d+$/m);
    t.log(
      processes
        .split('\n')
        .filter((l) => / agent -dev /.test(l))
        .join('\n'),
    );
  }),
);

test.serial(
  'mode container: the Nomad agent a container of the node, whoami tasks beside it, verify passes, up again, down',
  (t) =>
    lifecycle(t, 'container', async (run) => {
      const containers = await run(['docker', 'ps', '--no-trunc', '--format', '{{.Names}} {{.Image}} {{.Command}}']);
      t.log(containers);
      const rows = containers.split('\n').filter(Boolean);
      t.true(
        rows.some((r) => /^nomad nomadlab\/nomad-agent:[0-9a-f]{12} "\/usr\/local\/bin\/nomad agent/.test(r)),
        'the agent container',
      );
      t.is(rows.filter((r) => / nomadlab\/whoami:1 /.test(r)).length, 2, 'the two whoami tasks in the same Docker');
      const unit = await run(['systemctl', 'show', '-p', 'ExecStart', 'nomad']);
      t.regex(unit, /docker run --rm --name nomad/);
      // The secrets folders Nomad mounts inside its container are the node's mounts too, which the tasks get.
      const mounts = await run(['cat', '/proc/mounts']);
      const secrets = mounts.split('\n').filter((l) => /^\S+ \/opt\/nomad\/alloc\/\S+\/whoami\/secrets tmpfs /.test(l));
      t.is(secrets.length, 2, mounts);
    }),
);
