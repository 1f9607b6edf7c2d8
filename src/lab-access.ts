import type { Cluster } from './config/load.ts';
import type { NodeSpec } from './config/schema.ts';
import { NomadLabError, VerifyError } from './errors.ts';
import type { NodeEndpoint } from './remote/endpoint.ts';
import { quoteArgv } from './remote/quote.ts';
import { join } from 'node:path';
import { labStateDir } from './host/dirs.ts';
import { readLabSecurity, type LabSecurity } from './state/security.ts';
import type { VerifyOptions } from './verify/checks.ts';
import { agentApi, getJson, type AgentCredentials } from './verify/http-json.ts';

// How a person reaches a running lab from the host: its UIs, its HTTP APIs, a shell on a node.

export const NOMAD_HTTP_PORT = 4646;
export const CONSUL_HTTP_PORT = 8500;
/** Consul's HTTPS port: with `security.tls` plain HTTP is off. */
export const CONSUL_HTTPS_PORT = 8501;

/** Consul's API port on the nodes: HTTPS with `security.tls`, else HTTP. */
export function consulPort(cluster: Pick<Cluster, 'spec'>): number {
  return cluster.spec.security.tls ? CONSUL_HTTPS_PORT : CONSUL_HTTP_PORT;
}

/** What nomad-lab's own requests to the agents carry: the management tokens, the lab CA and its client certificate. */
export function agentCredentials(security: LabSecurity): AgentCredentials {
  return {
    ...(security.acl ? { consulToken: security.acl.consulManagement, nomadToken: security.acl.nomadManagement } : {}),
    ...(security.tls ? { tls: { ca: security.tls.ca, ...security.tls.cli } } : {}),
  };
}

/** verify's options for a lab: its Consul port, and its tokens and certificate when `security` asks for them. */
export async function labVerifyOptions(cluster: Pick<Cluster, 'dir' | 'spec'>): Promise<VerifyOptions> {
  return verifyOptionsFor(cluster, await readLabSecurity(cluster));
}

/** The same, from the lab's security already in hand (`up` has it). */
export function verifyOptionsFor(cluster: Pick<Cluster, 'spec'>, security: LabSecurity): VerifyOptions {
  return { consulHttpPort: consulPort(cluster), credentials: agentCredentials(security) };
}

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
  const scheme = cluster.spec.security.tls ? 'https' : 'http';
  return {
    nomadUi: `${scheme}://${address}:${NOMAD_HTTP_PORT}/ui/`,
    consulUi: `${scheme}://${address}:${consulPort(cluster)}/ui/`,
  };
}

export interface LabEnv {
  NOMAD_ADDR: string;
  CONSUL_HTTP_ADDR: string;
  /** With `security.tls`: the lab CA and nomad-lab's client certificate (paths in the lab's state folder). */
  NOMAD_CACERT?: string;
  NOMAD_CLIENT_CERT?: string;
  NOMAD_CLIENT_KEY?: string;
  CONSUL_CACERT?: string;
  CONSUL_CLIENT_CERT?: string;
  CONSUL_CLIENT_KEY?: string;
  /**
   * With `security.acl`: the file that holds Consul's management token (Consul's CLI reads it; the token is never
   * printed).
   */
  CONSUL_HTTP_TOKEN_FILE?: string;
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
export async function labEnv(cluster: Pick<Cluster, 'spec' | 'dir'>, options: LabEnvOptions = {}): Promise<LabEnv> {
  const { timeoutMs = 2000, nomadPort = NOMAD_HTTP_PORT, consulPort: consulApiPort = consulPort(cluster) } = options;
  const credentials = agentCredentials(await readLabSecurity(cluster));
  const failures: string[] = [];
  for (const server of servers(cluster)) {
    try {
      const nomadApi = agentApi(server.address, nomadPort, 'nomad', credentials);
      const consulApi = agentApi(server.address, consulApiPort, 'consul', credentials);
      const nomad = leaderHost(await getJson<string>(`${nomadApi.base}/v1/status/leader`, timeoutMs, nomadApi.auth));
      const consul = leaderHost(await getJson<string>(`${consulApi.base}/v1/status/leader`, timeoutMs, consulApi.auth));
      const scheme = credentials.tls ? 'https' : 'http';
      if (nomad && consul)
        return {
          NOMAD_ADDR: `${scheme}://${nomad}:${nomadPort}`,
          CONSUL_HTTP_ADDR: `${scheme}://${consul}:${consulApiPort}`,
          ...securityEnv(cluster),
        };
      failures.push(`${server.name}: no leader yet (Nomad ${nomad ?? 'none'}, Consul ${consul ?? 'none'})`);
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      failures.push(`${server.name}: ${error.message}`);
    }
  }
  throw new NomadLabError(
    `no server of ${cluster.spec.name} named a Nomad and a Consul ` +
      `leader:\n  ${failures.join('\n  ')}\nIs the ` +
      `lab up? \`nomad-lab status\` shows what runs.`,
  );
}

function securityEnv(cluster: Pick<Cluster, 'spec' | 'dir'>): Partial<LabEnv> {
  const state = labStateDir(cluster);
  const tls = (name: string) => join(state, 'tls', name);
  return {
    ...(cluster.spec.security.tls
      ? {
          NOMAD_CACERT: tls('ca.pem'),
          NOMAD_CLIENT_CERT: tls('cli.pem'),
          NOMAD_CLIENT_KEY: tls('cli-key.pem'),
          CONSUL_CACERT: tls('ca.pem'),
          CONSUL_CLIENT_CERT: tls('cli.pem'),
          CONSUL_CLIENT_KEY: tls('cli-key.pem'),
        }
      : {}),
    ...(cluster.spec.security.acl ? { CONSUL_HTTP_TOKEN_FILE: join(state, 'consul-management.token') } : {}),
  };
}

/** `export NOMAD_ADDR=...` lines for `eval "$(nomad-lab env)"`; paths quoted for the shell. */
export function renderEnv(env: LabEnv): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${/^[\w./:@-]+$/.test(v as string) ? (v as string) : quoteArgv([v as string])}`)
    .join('\n');
}

/**
 * The management tokens as the lab's own `nomad` and `consul` CLIs take them (their environment only; never printed).
 */
export async function labTokenEnv(cluster: Pick<Cluster, 'spec' | 'dir'>): Promise<Record<string, string>> {
  const { acl } = await readLabSecurity(cluster);
  return acl ? { NOMAD_TOKEN: acl.nomadManagement, CONSUL_HTTP_TOKEN: acl.consulManagement } : {};
}

/**
 * `ssh` arguments for a node: the lab's pinned host key (StrictHostKeyChecking=yes against the
 * lab's own known_hosts), and `command` run as given (each argument quoted, like `kubectl exec`).
 */
export function sshArgs(
  endpoint: NodeEndpoint,
  knownHostsFile: string,
  command: readonly string[],
  tty: boolean,
): string[] {
  return [
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'LogLevel=ERROR',
    ...(endpoint.privateKeyPath === undefined ? [] : ['-o', 'IdentitiesOnly=yes', '-i', endpoint.privateKeyPath]),
    '-p',
    String(endpoint.port),
    ...(tty ? ['-t'] : ['-T']),
    '--',
    `${endpoint.user}@${endpoint.host}`,
    ...(command.length === 0 ? [] : [quoteArgv(command)]),
  ];
}

export const LOG_SERVICES = ['consul', 'nomad', 'docker'] as const;
export type LogService = (typeof LOG_SERVICES)[number];

/** The journalctl command for a node's agents (all three when no service is named), as root. */
export function journalCommand(
  user: string,
  services: readonly LogService[],
  options: { follow: boolean; lines: number },
): string[] {
  return [
    ...(user === 'root' ? [] : ['sudo', '-n', '--']),
    'journalctl',
    '--no-pager',
    '--output=short-iso',
    ...services.flatMap((s) => ['-u', s]),
    '-n',
    String(options.lines),
    ...(options.follow ? ['-f'] : []),
  ];
}
