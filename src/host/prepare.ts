import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { execa } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';
import { NomadLabError } from '../errors.ts';
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

/**
 * Installs what a local lab needs from Debian's packages and starts dockerd.
 * Idempotent: reads what is there first and changes only what is missing.
 */
export async function prepareHost(options: { onProgress?: (line: string) => void; list?: readonly Prerequisite[] } = {}): Promise<PrepareReport> {
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
      throw new NomadLabError(`missing Debian packages ${toInstall.join(' ')}: run as root, or: sudo apt-get install ${toInstall.join(' ')}`);
    }
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    say('apt-get update');
    await run('apt-get', ['update'], { env });
    say(`apt-get install ${toInstall.join(' ')}`);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...toInstall], { env });
    changes.push(`installed ${toInstall.join(', ')}`);
  }

  if (!(await dockerAnswers())) {
    say('starting dockerd');
    await startDockerd();
    changes.push('started dockerd');
  }
  return { changes };
}

async function dockerAnswers(): Promise<boolean> {
  return (await probe('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 })).ok;
}

export const DOCKERD_LOG = '/var/log/nomad-lab-dockerd.log';

async function startDockerd(): Promise<void> {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['start', 'docker']);
  } else {
    // No systemd on this host (a container or sandbox): dockerd runs on in the background, logging to a file.
    // The log's descriptor goes to dockerd itself: nothing of it stays open in this process,
    // which can then exit and leave dockerd running.
    const log = await open(DOCKERD_LOG, 'a');
    try {
      // execa documents and accepts a file descriptor here; its 9.x types leave numbers out.
      const fd = log.fd as unknown as 'inherit';
      const child = execa('dockerd', [], { detached: true, cleanup: false, stdin: 'ignore', stdout: fd, stderr: fd, reject: false });
      child.unref();
      void child.catch(() => {});
    } finally {
      await log.close();
    }
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await dockerAnswers()) return;
    await sleep(1000);
  }
  throw new NomadLabError(`dockerd did not answer within 60 s; its log: ${existsSync('/run/systemd/system') ? 'journalctl -u docker' : DOCKERD_LOG}`);
}
