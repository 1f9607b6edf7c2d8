import type { Cluster } from './config/load.ts';
import type { NodeSpec } from './config/schema.ts';
import { NomadLabError, VerifyError } from './errors.ts';
import type { NodeEndpoint } from './remote/endpoint.ts';
import { quoteArgv } from './remote/quote.ts';
import { getJson } from './verify/http-json.ts';

// How a person reaches a running lab from the host: its UIs, its HTTP APIs, a shell on a node.

export const NOMAD_HTTP_PORT = 4646;
export const CONSUL_HTTP_PORT = 8500;

export interface LabUrls {
  nomadUi: string;
  consulUi: string;
}

function servers(cluster: Pick<Cluster, 'spec'>): NodeSpec[] {
  return cluster.spec.nodes.filter((n) => n.role !== 'client');
}

/** The UIs on the first server (every server serves them); contacts nothing. */
export function labUrls(cluster: Pick<Cluster, 'spec'>): LabUrls {
  const address = servers(cluster)[0]!.address;
  return { nomadUi: `http://${address}:${NOMAD_HTTP_PORT}/ui/`, consulUi: `http://${address}:${CONSUL_HTTP_PORT}/ui/` };
}

export interface LabEnv {
  NOMAD_ADDR: string;
  CONSUL_HTTP_ADDR: string;
}

/** `10.77.0.10:4647` (a leader's RPC address, as /v1/status/leader gives it) → `10.77.0.10`. */
export function leaderHost(answer: string): string | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(answer.trim());
  return match?.[1];
}

export interface LabEnvOptions {
  timeoutMs?: number;
  /** The agents' HTTP ports (tests use others). */
  nomadPort?: number;
  consulPort?: number;
}

/** NOMAD_ADDR and CONSUL_HTTP_ADDR of the lab's current leaders, asked of each server in turn. */
export async function labEnv(cluster: Pick<Cluster, 'spec'>, options: LabEnvOptions = {}): Promise<LabEnv> {
  const { timeoutMs = 2000, nomadPort = NOMAD_HTTP_PORT, consulPort = CONSUL_HTTP_PORT } = options;
  const failures: string[] = [];
  for (const server of servers(cluster)) {
    try {
      const nomad = leaderHost(await getJson<string>(`http://${server.address}:${nomadPort}/v1/status/leader`, timeoutMs));
      const consul = leaderHost(await getJson<string>(`http://${server.address}:${consulPort}/v1/status/leader`, timeoutMs));
      if (nomad && consul) return { NOMAD_ADDR: `http://${nomad}:${nomadPort}`, CONSUL_HTTP_ADDR: `http://${consul}:${consulPort}` };
      failures.push(`${server.name}: no leader yet (Nomad ${nomad ?? 'none'}, Consul ${consul ?? 'none'})`);
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      failures.push(`${server.name}: ${error.message}`);
    }
  }
  throw new NomadLabError(`no server of ${cluster.spec.name} named a Nomad and a Consul leader:\n  ${failures.join('\n  ')}\nIs the lab up? \`nomad-lab status\` shows what runs.`);
}

/** `export NOMAD_ADDR=...` lines for `eval "$(nomad-lab env)"`; the values are `http://IP:PORT`, nothing to quote. */
export function renderEnv(env: LabEnv): string {
  return Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n');
}

/**
 * `ssh` arguments for a node: the lab's pinned host key (StrictHostKeyChecking=yes against the
 * lab's own known_hosts), and `command` run as given (each argument quoted, like `kubectl exec`).
 */
export function sshArgs(endpoint: NodeEndpoint, knownHostsFile: string, command: readonly string[], tty: boolean): string[] {
  return [
    '-o', `UserKnownHostsFile=${knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'LogLevel=ERROR',
    ...(endpoint.privateKeyPath === undefined ? [] : ['-o', 'IdentitiesOnly=yes', '-i', endpoint.privateKeyPath]),
    '-p', String(endpoint.port),
    ...(tty ? ['-t'] : ['-T']),
    '--',
    `${endpoint.user}@${endpoint.host}`,
    ...(command.length === 0 ? [] : [quoteArgv(command)]),
  ];
}

export const LOG_SERVICES = ['consul', 'nomad', 'docker'] as const;
export type LogService = (typeof LOG_SERVICES)[number];

/** The journalctl command for a node's agents (all three when no service is named), as root. */
export function journalCommand(user: string, services: readonly LogService[], options: { follow: boolean; lines: number }): string[] {
  return [
    ...(user === 'root' ? [] : ['sudo', '-n', '--']),
    'journalctl', '--no-pager', '--output=short-iso',
    ...services.flatMap((s) => ['-u', s]),
    '-n', String(options.lines),
    ...(options.follow ? ['-f'] : []),
  ];
}
