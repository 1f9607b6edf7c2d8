import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { requirePreparedHost } from './helpers.ts';

// The package as a user gets it: `npm pack`, installed into an empty prefix, used in an empty
// folder outside the checkout. One single-node dev lab, under its own name and subnet, carries
// the everyday commands too: ssh, env, nomad/consul, logs, status. The tests run in order.

const LAB = 'e2e-pkg';
const SUBNET = '10.95.1';
const NODE_ADDRESS = `${SUBNET}.10`;

let work = '';
let prefix = '';
let lab = '';
let upDone = false;

/** The installed nomad-lab, run in the lab folder with nothing of the checkout on its path. */
const nl = (args: string[], options: { input?: string; detached?: boolean } = {}) =>
  execa(join(prefix, 'bin', 'nomad-lab'), args, { cwd: lab, reject: false, all: true, ...options });

test.before(async () => {
  await requirePreparedHost();
  work = await mkdtemp(join(tmpdir(), 'nomad-lab-e2e-pkg-'));
  prefix = join(work, 'prefix');
  lab = join(work, 'lab');
  await mkdir(lab);
  const pack = await execa('npm', ['pack', '--pack-destination', work, '--json'], { all: true, reject: false });
  if (pack.exitCode !== 0) throw new Error(`npm pack failed:\n${pack.all}`);
  const [{ filename }] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string }];
  const install = await execa(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(work, filename)],
    { all: true, reject: false, cwd: work },
  );
  if (install.exitCode !== 0) throw new Error(`npm install -g --prefix failed:\n${install.all}`);
});

test.after.always(async () => {
  if (upDone) await nl(['down']);
  if (work) await rm(work, { recursive: true, force: true });
});

test.serial('the package carries what it needs at run time, and no source', async (t) => {
  const root = join(prefix, 'lib', 'node_modules', 'nomad-lab');
  for (const path of [
    'images/node/configure.sh',
    'images/whoami/whoami-httpd',
    'hashicorp/consul/go.mod',
    'hashicorp/nomad/go.sum',
    'configs/server.hcl',
    'schema/cluster.schema.json',
    'examples/dev.yaml',
    'jobs/whoami.nomad.hcl',
    'dist/cli/main.js',
    'dist/cli.js',
  ]) {
    await t.notThrowsAsync(readFile(join(root, path)), path);
  }
  await t.throwsAsync(readFile(join(root, 'src', 'cli', 'main.ts')));
  const version = await nl(['--version']);
  t.is(version.exitCode, 0, version.all);
  t.regex(version.stdout, /^nomad-lab \d+\.\d+\.\d+\nconsul \d+\.\d+\.\d+, nomad \d+\.\d+\.\d+/);
});

test.serial('init --example dev writes a lab into an empty folder; validate accepts it', async (t) => {
  const init = await nl(['init', '--example', 'dev']);
  t.is(init.exitCode, 0, init.all);
  const file = join(lab, 'cluster.yaml');
  const text = await readFile(file, 'utf8');
  t.is(
    text.split('\n', 1)[0],
    `# yaml-language-server: ` +
      `$schema=${join(prefix, 'lib', 'node_modules', 'nomad-lab', 'schema', 'cluster.schema.json')}`,
  );
  t.regex(text, /file: jobs\/whoami\.nomad\.hcl/);
  // Its own name and subnet, so a lab a person has up is left alone; and the bare node image, so this lab
  // proves the path VMs and existing hosts take: every package installed with apt over SSH.
  const bare = text
    .replace('name: nomad-dev', `name: ${LAB}`)
    .replaceAll('10.78.0', SUBNET)
    .replace(/^nodes:$/m, 'provider:\n  type: vagrant\n  preload: false\nnodes:');
  await writeFile(file, bare);
  const validate = await nl(['validate', '--json']);
  t.is(validate.exitCode, 0, validate.all);
  t.like(JSON.parse(validate.stdout), { valid: true, summary: '1 node (1 server+client), 1 job, 1 service to verify' });
});

test.serial('image build and artifacts fetch from the installed package', async (t) => {
  const images = await nl(['image', 'build']);
  t.is(images.exitCode, 0, images.all);
  t.regex(images.stdout, /nomadlab\/node:[0-9a-f]+ \(/);
  const artifacts = await nl(['artifacts', 'fetch']);
  t.is(artifacts.exitCode, 0, artifacts.all);
  t.regex(artifacts.stdout, /^consul \d+\.\d+\.\d+ linux_\w+ .*\nnomad \d+\.\d+\.\d+ linux_\w+ /m);
});

test.serial('up ends with the UIs and the verify hint; verify passes', async (t) => {
  upDone = true;
  const up = await nl(['up']);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^dev: install dnsmasq, docker\.io$/m, 'the bare image: apt installs both over SSH');
  t.regex(
    up.stdout,
    new RegExp(
      `Nomad UI: ` +
        `{2}http://${NODE_ADDRESS.replaceAll('.', '\\.')}:4646/ui/\\nConsul UI: ` +
        `http://${NODE_ADDRESS.replaceAll('.', '\\.')}:8500/ui/\\nnext: nomad-lab verify`,
    ),
  );
  const verify = await nl(['verify', '--json']);
  t.is(verify.exitCode, 0, verify.all);
  t.true((JSON.parse(verify.stdout) as { ok: boolean }).ok);
});

test.serial('ssh runs one command as given and passes its exit code through', async (t) => {
  const hostname = await nl(['ssh', 'dev', '--', 'hostname']);
  t.is(hostname.exitCode, 0, hostname.all);
  t.is(hostname.stdout.trim(), 'dev');
  const spaced = await nl(['ssh', 'dev', '--', 'echo', 'a  b', '$HOME;']);
  t.is(spaced.stdout, 'a  b $HOME;');
  const exit = await nl(['ssh', 'dev', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  t.is(exit.exitCode, 7);
  t.is(exit.stdout, 'out');
  t.is(exit.stderr, 'err');
  // The lab's own pinned key file is what OpenSSH checked against: nothing was added to the user's.
  t.regex(await readFile(join(lab, '.nomad-lab', LAB, 'known_hosts'), 'utf8'), / dev\n/);
});

test.serial('ssh with no command and no terminal: a shell reading its commands from stdin', async (t) => {
  const shell = await nl(['ssh', 'dev'], { input: 'echo from-stdin\nexit 3\n' });
  t.is(shell.exitCode, 3, shell.all);
  // A login shell: the node's motd comes first.
  t.regex(shell.stdout, /\nfrom-stdin$/);
});

test.serial('ssh on a terminal: a login shell with a TTY of its own', async (t) => {
  // script(1) gives nomad-lab a pseudo-terminal, as a person's terminal would.
  const shell = await execa('script', ['-qec', `${join(prefix, 'bin', 'nomad-lab')} ssh dev`, '/dev/null'], {
    cwd: lab,
    reject: false,
    all: true,
    input: 'tty; exit 4\n',
  });
  t.is(shell.exitCode, 4, shell.all);
  t.regex(shell.stdout, /\/dev\/pts\/\d+/);
});

test.serial('env names the leader; nomad and consul run the pinned binaries against the lab', async (t) => {
  const json = await nl(['env', '--json']);
  t.is(json.exitCode, 0, json.all);
  t.deepEqual(JSON.parse(json.stdout), {
    NOMAD_ADDR: `http://${NODE_ADDRESS}:4646`,
    CONSUL_HTTP_ADDR: `http://${NODE_ADDRESS}:8500`,
  });
  const evaluated = await execa(
    'bash',
    ['-c', `eval "$("${join(prefix, 'bin', 'nomad-lab')}" env)" && echo "$NOMAD_ADDR $CONSUL_HTTP_ADDR"`],
    { cwd: lab },
  );
  t.is(evaluated.stdout, `http://${NODE_ADDRESS}:4646 http://${NODE_ADDRESS}:8500`);
  const nodes = await nl(['nomad', 'node', 'status']);
  t.is(nodes.exitCode, 0, nodes.all);
  t.regex(nodes.stdout, /\bdev\b.*\bready\b/);
  const members = await nl(['consul', 'members']);
  t.is(members.exitCode, 0, members.all);
  t.regex(members.stdout, new RegExp(`^dev +${NODE_ADDRESS.replaceAll('.', '\\.')}:8301 +alive +server`, 'm'));
  const missing = await nl(['nomad', 'job', 'status', 'no-such-job']);
  t.is(missing.exitCode, 1, missing.all);
  const version = await nl(['nomad', 'version']);
  t.regex(version.stdout, /^Nomad v1\.11\.3/);
});

test.serial('logs: the last N lines of an agent, and -f until Ctrl-C', async (t) => {
  const nomad = await nl(['logs', 'dev', 'nomad', '-n', '5']);
  t.is(nomad.exitCode, 0, nomad.all);
  const lines = nomad.stdout.split('\n').filter((l) => !l.startsWith('-- '));
  t.is(lines.length, 5, nomad.stdout);
  for (const line of lines) t.regex(line, /^\S+ dev nomad\[\d+\]: /);
  const all = await nl(['logs', 'dev', '-n', '200']);
  t.is(all.exitCode, 0, all.all);
  t.regex(all.stdout, / dev consul\[\d+\]: /);
  t.regex(all.stdout, / dev nomad\[\d+\]: /);

  const follow = nl(['logs', 'dev', 'consul', '-f', '-n', '1'], { detached: true });
  let output = '';
  follow.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/consul\[\d+\]/.test(output) && Date.now() < deadline) await sleep(200);
  t.regex(output, / dev consul\[\d+\]: /);
  // What a terminal's Ctrl-C does: SIGINT to the whole foreground group.
  process.kill(-follow.pid!, 'SIGINT');
  const ended = await Promise.race([follow, sleep(10_000).then(() => undefined)]);
  t.truthy(ended, 'logs -f still running 10 s after Ctrl-C');
  t.is(ended?.exitCode, 130, ended?.all);
});

test.serial('status shows the UIs', async (t) => {
  const status = await nl(['status', '--json']);
  t.is(status.exitCode, 0, status.all);
  t.deepEqual((JSON.parse(status.stdout) as { urls: unknown }).urls, {
    nomadUi: `http://${NODE_ADDRESS}:4646/ui/`,
    consulUi: `http://${NODE_ADDRESS}:8500/ui/`,
  });
});

test.serial('down leaves nothing of the lab', async (t) => {
  const down = await nl(['down']);
  t.is(down.exitCode, 0, down.all);
  upDone = false;
  const containers = (await execa('docker', ['ps', '-a', '--format', '{{.Names}}'])).stdout
    .split('\n')
    .filter((n) => n.startsWith(`${LAB}-`));
  t.deepEqual(containers, []);
  await t.throwsAsync(readFile(join(lab, '.nomad-lab', LAB, 'known_hosts')));
});
