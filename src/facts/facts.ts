import { script } from '../remote/quote.ts';
import type { ExecResult, Fact } from './fact.ts';

function expectExit(result: ExecResult, ...codes: number[]): void {
  if (!codes.includes(result.exitCode))
    throw new Error(`exit ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
}

export interface PackageState {
  installed: boolean;
  version?: string;
}

/** Installed Debian packages and their versions. */
export function debPackages(names: readonly string[]): Fact<Map<string, PackageState>> {
  return {
    // One line per package; dpkg-query exits 1 when any is unknown, which is an answer, not a failure.
    command: ['dpkg-query', '-W', '-f', '${Package}\\t${Status}\\t${Version}\\n', ...names],
    parse(result) {
      expectExit(result, 0, 1);
      const found = new Map<string, PackageState>(names.map((n) => [n, { installed: false }]));
      for (const line of result.stdout.split('\n')) {
        const [name, status, version] = line.split('\t');
        if (!name || !found.has(name.split(':')[0]!)) continue;
        found.set(
          name.split(':')[0]!,
          status === 'install ok installed' ? { installed: true, version: version! } : { installed: false },
        );
      }
      return found;
    },
  };
}

export interface UnitState {
  loaded: boolean;
  active: boolean;
  /** Failed, or stopped by systemd's start limit after crashing: a plain start is refused until reset. */
  failed: boolean;
  enabled: boolean;
  /** Monotonic start time of the main process (µs); unchanged means not restarted. */
  startedAt: number;
}

export function unitState(unit: string): Fact<UnitState> {
  return {
    command: ['systemctl', 'show', unit, '-p', 'LoadState,ActiveState,UnitFileState,ExecMainStartTimestampMonotonic'],
    parse(result) {
      expectExit(result, 0);
      const props = new Map(
        result.stdout
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      if (!props.has('ActiveState')) throw new Error(`no ActiveState in: ${result.stdout.slice(0, 200)}`);
      return {
        loaded: props.get('LoadState') === 'loaded',
        active: props.get('ActiveState') === 'active',
        failed: props.get('ActiveState') === 'failed',
        enabled: props.get('UnitFileState') === 'enabled',
        startedAt: Number(props.get('ExecMainStartTimestampMonotonic') ?? 0),
      };
    },
  };
}

export function userExists(name: string): Fact<boolean> {
  return {
    command: ['getent', 'passwd', name],
    parse(result) {
      expectExit(result, 0, 2);
      return result.exitCode === 0;
    },
  };
}

/** The network interface that holds `address` (`ip -o -4 addr show`). */
export function interfaceWithAddress(address: string): Fact<string | undefined> {
  return {
    command: ['ip', '-o', '-4', 'addr', 'show'],
    parse(result) {
      expectExit(result, 0);
      for (const line of result.stdout.split('\n')) {
        const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
        if (match && match[2] === address) return match[1]!.split('@')[0];
      }
      return undefined;
    },
  };
}

/** A small text file's content, or undefined when it does not exist. */
export function fileContent(path: string): Fact<string | undefined> {
  return {
    command: script('[ -e "$1" ] || exit 3; cat -- "$1"', [path], `read ${path}`),
    sudo: true,
    parse(result) {
      expectExit(result, 0, 3);
      return result.exitCode === 3 ? undefined : result.stdout;
    },
  };
}

/** Whether `user` can run commands as root the way nomad-lab does (sudo -n, no terminal); otherwise what to grant. */
export function sudoProblem(user: string): Fact<string | undefined> {
  const grant =
    `on the host, as root: echo '${user} ALL=(ALL) NOPASSWD:ALL' > ` +
    `/etc/sudoers.d/${user} && chmod ` +
    `440 /etc/sudoers.d/${user}`;
  return {
    command: ['sudo', '-n', 'true'],
    parse(result) {
      if (result.exitCode === 0) return undefined;
      const said = result.stderr.trim().split('\n').at(-1) ?? '';
      if (result.exitCode === 127)
        return (
          `sudo is not installed, and ` +
          `user ${user} is not root: install sudo (apt-get install sudo), ` +
          `then ${grant}`
        );
      if (/must have a tty/.test(said)) {
        return (
          `sudo for ` +
          `user ${user} needs a terminal (requiretty in sudoers), and nomad-lab runs commands ` +
          `without one: on the host, as root, add "Defaults:${user} !requiretty" to /etc/sudoers.d/${user}`
        );
      }
      if (/password is required|may not run sudo|not in the sudoers/.test(said)) {
        return (
          `sudo asks ` +
          `user ${user} for a password ` +
          `(or ${user} may not use sudo at all), and nomad-lab runs ` +
          `commands as root with sudo -n, which cannot type one: ${grant}`
        );
      }
      return (
        `"sudo -n true" as ` +
        `user ${user} failed (exit ${result.exitCode}: ${said}): nomad-lab needs ` +
        `passwordless sudo; ${grant}`
      );
    },
  };
}
