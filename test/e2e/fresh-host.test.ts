import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { execa } from 'execa';
import { imageExists } from '../../src/images/docker.ts';
import { nodeImageTag } from '../../src/images/node-image.ts';
import { NODE_CONTAINER_FLAGS } from '../../src/render/docker-node-flags.ts';
import { requirePreparedHost } from './helpers.ts';

// A host that is really fresh (issue 9): Debian bookworm from the node image, run without systemd
// (`sleep infinity` as PID 1, like a CI container), holding only the host's docker CLI, the host's
// Node.js and a checkout of nomad-lab as `npm ci` leaves it. `host prepare` must install the engine
// and everything else from Debian's archive, then `doctor` must be green. Needs the node image
// (`nomad-lab image build`); its apt reaches Debian's archive as the nodes' does.

const NAME = 'nomad-lab-test-fresh-host';
const APP = '/opt/nomad-lab';
/**
 * apt-get install of docker.io, vagrant, vagrant-libvirt... takes a minute or two; a stuck archive must not hang the
 * suite.
 */
const PREPARE_TIMEOUT_MS = 12 * 60_000;

/** Runs a command inside the fresh host, in the checkout, as root. */
const inside = (args: string[], timeout = 120_000) =>
  execa('docker', ['exec', '-w', APP, NAME, ...args], { reject: false, all: true, timeout });

const shell = async (script: string) => String((await execa('sh', ['-c', script])).stdout).trim();

/** The checkout as a fresh clone has it after `npm ci`: what `npm pack` ships, plus node_modules. */
async function checkoutPaths(): Promise<string[]> {
  const { files } = JSON.parse(await readFile('package.json', 'utf8')) as { files: string[] };
  return ['package.json', 'node_modules', ...files.filter((f) => f !== 'dist')];
}

test.before(async () => {
  await requirePreparedHost();
  const tag = await nodeImageTag('nomadlab/node');
  if (!(await imageExists(tag)))
    throw new Error(`the fresh-host test runs in the node image ${tag}, which is missing: run nomad-lab image build`);

  // dist built from this very source, apart from the checkout's own dist (which may be stale).
  const build = await mkdtemp(join(tmpdir(), 'nomad-lab-fresh-dist-'));
  try {
    await execa('node_modules/.bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', join(build, 'dist')]);
    await execa('node', ['scripts/bundle-cli.mjs', join(build, 'dist')]);

    await execa('docker', ['rm', '-f', '-v', NAME], { reject: false });
    // The node flags are what lets a Docker engine run inside a node; no systemd: `sleep infinity` is PID 1.
    await execa('docker', [
      'run',
      '-d',
      '--name',
      NAME,
      '--hostname',
      'fresh-host',
      ...NODE_CONTAINER_FLAGS,
      tag,
      'sleep',
      'infinity',
    ]);
    // The host's own binaries, where the host has them: a docker CLI (no engine) and Node.js.
    const dockerCli = await shell('command -v docker');
    await execa('docker', ['cp', '-L', dockerCli, `${NAME}:${dockerCli}`]);
    await execa('docker', ['cp', '-L', await realpath(process.execPath), `${NAME}:/usr/local/bin/node`]);
    await execa('docker', ['exec', NAME, 'mkdir', '-p', APP]);
    await execa('tar', ['-C', process.cwd(), '-c', ...(await checkoutPaths())], { buffer: false }).pipe('docker', [
      'cp',
      '-',
      `${NAME}:${APP}`,
    ]);
    await execa('tar', ['-C', build, '-c', 'dist'], { buffer: false }).pipe('docker', ['cp', '-', `${NAME}:${APP}`]);
    // What `npx nomad-lab` finds in a checkout: the package's bin.
    await execa('docker', ['exec', NAME, 'ln', '-s', `${APP}/bin/nomad-lab.js`, '/usr/local/bin/nomad-lab']);
  } finally {
    await rm(build, { recursive: true, force: true });
  }
});

test.after.always(() => execa('docker', ['rm', '-f', '-v', NAME], { reject: false }));

test.serial('the container is a fresh host: a docker CLI and Node.js, no engine, doctor red', async (t) => {
  t.regex((await inside(['docker', '--version'])).stdout, /^Docker version /);
  t.regex((await inside(['node', '--version'])).stdout, /^v\d+\./);
  const engine = await inside(['sh', '-c', 'for c in dockerd containerd runc; do command -v "$c" || true; done']);
  t.is(engine.stdout, '', 'the node image must hold no part of the engine');
  t.not((await inside(['cat', '/proc/1/comm'])).stdout, 'systemd');
  const doctor = await inside(['nomad-lab', 'doctor']);
  t.is(doctor.exitCode, 1, doctor.all);
  t.regex(doctor.stdout, /^ok +docker client +Docker version /m);
  t.regex(doctor.stdout, /^MISSING +docker engine \(dockerd\) /m);
});

/**
 * Holds dpkg's frontend lock as apt does (an fcntl lock), the way unattended-upgrades does on a new machine's first
 * boot.
 */
const HOLD_DPKG_LOCK = `
use Fcntl;
my ($seconds, $log) = @ARGV;
open(my $out, '>', $log) or die "open $log: $!";
select((select($out), $| = 1)[0]);
open(my $f, '>>', '/var/lib/dpkg/lock-frontend') or die "open: $!";
my $lock = pack('s s x4 q q i x4', F_WRLCK, 0, 0, 0, 0);
fcntl($f, F_SETLK, $lock) or die "lock: $!";
print $out "locked\n"; sleep $seconds; print $out "released\n";`;

test.serial(
  'host prepare installs the engine from Debian and starts dockerd, waiting for a first-boot apt',
  async (t) => {
    t.timeout(PREPARE_TIMEOUT_MS + 60_000);
    await execa('docker', ['exec', '-d', NAME, 'perl', '-e', HOLD_DPKG_LOCK, '20', '/tmp/first-boot-apt.log']);
    let holder = '';
    for (let i = 0; i < 40 && !holder.includes('locked'); i++) {
      await sleep(250);
      holder = (await inside(['cat', '/tmp/first-boot-apt.log'])).stdout;
    }
    t.is(holder, 'locked', 'the stand-in for unattended-upgrades must hold the dpkg lock before host prepare starts');

    const prepare = await inside(['nomad-lab', 'host', 'prepare'], PREPARE_TIMEOUT_MS);
    t.is(prepare.exitCode, 0, prepare.all);
    t.regex(prepare.stdout, /^host: prepared \(installed .*\bdocker\.io\b.*; started dockerd\)$/m);
    t.is((await inside(['cat', '/tmp/first-boot-apt.log'])).stdout, 'locked\nreleased');
  },
);

test.serial('doctor then finds every required prerequisite, the docker daemon answering', async (t) => {
  const doctor = await inside(['nomad-lab', 'doctor']);
  t.is(doctor.exitCode, 0, doctor.all);
  t.regex(doctor.stdout, /^ok +docker daemon +answers: /m);
  t.notRegex(doctor.stdout, /^MISSING/m);
});

test.serial('the engine runs a container (an image imported from busybox-static, no registry)', async (t) => {
  const script = [
    'set -e',
    'root=$(mktemp -d) && mkdir "$root/bin" && cp /bin/busybox "$root/bin/busybox"',
    'tar -C "$root" -c . | docker import - nomad-lab-fresh/busybox:1 >/dev/null',
    'docker run --rm nomad-lab-fresh/busybox:1 /bin/busybox echo hello from the fresh host',
  ].join('\n');
  const run = await inside(['sh', '-c', script]);
  t.is(run.exitCode, 0, run.all);
  t.is(run.stdout, 'hello from the fresh host');
});

test.serial('a second host prepare changes nothing', async (t) => {
  const prepare = await inside(['nomad-lab', 'host', 'prepare']);
  t.is(prepare.exitCode, 0, prepare.all);
  t.is(prepare.stdout, 'host: already prepared, nothing changed');
});
