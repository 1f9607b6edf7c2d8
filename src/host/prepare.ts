import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { NomadLabError, tail } from '../errors.ts';
import { installedVersion } from './debian.ts';
import { checkPrerequisites, PREREQUISITES, type Prerequisite } from './prerequisites.ts';
import { probe, run } from './run.ts';

export interface PrepareReport {
  /** What was done; empty when the host was already prepared. */
  changes: string[];
}

/**
 * Debian packages the host needs beyond the prerequisites' own: iptables for dockerd, and
 * vagrant-libvirt so `vagrant validate` can check a libvirt rendering without libvirt running.
 */
const EXTRA_PACKAGES = ['iptables', 'ca-certificates', 'vagrant-libvirt'];

/** A new machine's first boot often runs unattended-upgrades: apt waits this long for it to free the dpkg lock. */
const DPKG_LOCK_WAIT_S = 300;

/**
 * Installs what a local lab needs from Debian's packages and starts dockerd.
 * Idempotent: reads what is there first and changes only what is missing.
 */
export async function prepareHost(
  options: { onProgress?: (line: string) => void; list?: readonly Prerequisite[] } = {},
): Promise<PrepareReport> {
  const say = options.onProgress ?? (() => {});
  const list = options.list ?? PREREQUISITES;
  const changes: string[] = [];

  const before = await checkPrerequisites(list);
  const packages = list.filter((p, i) => p.debianPackage && !before[i]!.ok).map((p) => p.debianPackage!);
  const missingExtra = [];
  for (const pkg of EXTRA_PACKAGES) if ((await installedVersion(pkg)) === undefined) missingExtra.push(pkg);
  const toInstall = [...new Set([...packages, ...missingExtra])];
  if (toInstall.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new NomadLabError(
        `missing Debian packages ${toInstall.join(' ')}: run as root, or: sudo apt-get install ${toInstall.join(' ')}`,
      );
    }
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    say('apt-get update');
    await aptUpdate(env, say);
    say(`apt-get install ${toInstall.join(' ')}`);
    await run(
      'apt-get',
      ['-o', `DPkg::Lock::Timeout=${DPKG_LOCK_WAIT_S}`, 'install', '-y', '--no-install-recommends', ...toInstall],
      {
        env,
        hint:
          `if another process held the dpkg lock for ` +
          `over ${DPKG_LOCK_WAIT_S / 60} min (unattended-upgrades ` +
          `on a new machine), let it finish, then run host prepare again`,
      },
    );
    changes.push(`installed ${toInstall.join(', ')}`);
  }

  if (!(await dockerAnswers())) {
    say('starting dockerd');
    await startDockerd();
    changes.push('started dockerd');
  }
  return { changes };
}

/**
 * `apt-get update`, tried again with backoff: the archive can answer with a bad signature once and be fine the next
 * time.
 */
async function aptUpdate(env: Record<string, string>, say: (line: string) => void): Promise<void> {
  await pRetry(
    () =>
      run('apt-get', ['update'], {
        env,
        hint: 'the package archive failed; try again later, or check /etc/apt/sources.list*',
      }),
    {
      retries: 3,
      minTimeout: 2000,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0)
          say(`apt-get update failed (try ${attemptNumber}): ${error.message.split('\n', 1)[0]}; trying again`);
      },
    },
  );
}

async function dockerAnswers(): Promise<boolean> {
  return (await probe('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 })).ok;
}

export const DOCKERD_LOG = '/var/log/nomad-lab-dockerd.log';

/** How long dockerd may take to answer once it runs; a dockerd that exits is reported at once. */
const DOCKERD_DEADLINE_MS = 60_000;

async function startDockerd(): Promise<void> {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['start', 'docker'], { hint: 'see: journalctl -u docker' });
    await waitForDockerd(() => undefined, 'journalctl -u docker');
    return;
  }
  if (!(await probe('dockerd', ['--version'])).ok) {
    throw new NomadLabError(
      'dockerd is not installed (a docker CLI alone is not an engine): run nomad-lab host prepare as root, or: ' +
        'apt-get install docker.io',
    );
  }
  // No systemd on this host (a container or sandbox): dockerd runs on in the background, logging to a file.
  // The log's descriptor goes to dockerd itself: nothing of it stays open in this process,
  // which can then exit and leave dockerd running.
  const log = await open(DOCKERD_LOG, 'a');
  const logStart = (await log.stat()).size;
  let exited: { code: number | undefined; signal: string | undefined } | undefined;
  try {
    // execa documents and accepts a file descriptor here; its 9.x types leave numbers out.
    const fd = log.fd as unknown as 'inherit';
    const child = execa('dockerd', [], {
      detached: true,
      cleanup: false,
      stdin: 'ignore',
      stdout: fd,
      stderr: fd,
      reject: false,
    });
    child.unref();
    void child.then((result) => {
      exited = { code: result.exitCode, signal: result.signal };
    });
  } finally {
    await log.close();
  }
  await waitForDockerd(
    () => (exited ? `dockerd exited (${exited.signal ?? `code ${exited.code}`})` : undefined),
    DOCKERD_LOG,
    logStart,
  );
}

/** Polls until docker answers; stops at once when `failure()` says dockerd is gone, with the tail of its log. */
async function waitForDockerd(failure: () => string | undefined, logName: string, logStart?: number): Promise<void> {
  const deadline = Date.now() + DOCKERD_DEADLINE_MS;
  for (;;) {
    if (await dockerAnswers()) return;
    const why =
      failure() ??
      (Date.now() >= deadline ? `dockerd did not answer within ${DOCKERD_DEADLINE_MS / 1000} s` : undefined);
    if (why !== undefined) {
      const logTail = logStart === undefined ? '' : await readTail(logName, logStart);
      throw new NomadLabError(`${why}; its log (${logName})${logTail ? `, last lines:\n${logTail}` : ' is empty'}`, {
        shortMessage: why,
      });
    }
    await sleep(250);
  }
}

async function readTail(file: string, from: number): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(from).toString('utf8');
    return tail(text.trim(), 15);
  } catch {
    return '';
  }
}
