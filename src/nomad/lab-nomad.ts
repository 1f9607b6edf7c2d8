import type { Cluster } from '../config/load.ts';
import { NomadLabError, VerifyError } from '../errors.ts';
import { agentCredentials, NOMAD_HTTP_PORT } from '../lab-access.ts';
import { labReach, type LabReach } from '../lab-reach.ts';
import { servers } from '../config/topology.ts';
import { readLabSecurity } from '../state/security.ts';
import { agentApi, findJson, getJson } from '../verify/http-json.ts';
import { httpStream } from '../verify/probes.ts';

// Nomad's HTTP API of a running lab, asked from this host: of the first server that answers, directly or through
// its SSH session (as verify reaches the lab), with the lab's management token and client certificate.

/** What nomad-lab reads of Nomad's API; paths start with `/v1/`. */
export interface NomadReader {
  get<T>(path: string): Promise<T>;
  /** undefined where Nomad answers 404 (no such job or allocation). */
  find<T>(path: string): Promise<T | undefined>;
  /**
   * The body, to `onData` as it comes; resolves at its end, or when `signal` aborts. With `follow` (a followed log
   * never ends, and its head may come only with its first line) the answer is waited for as long as it takes.
   */
  stream(path: string, onData: (chunk: Buffer) => void, options?: StreamOptions): Promise<void>;
}

export interface StreamOptions {
  follow?: boolean;
  signal?: AbortSignal;
}

export interface LabNomad extends NomadReader {
  /** The server whose API answered. */
  server: string;
  /** Closes the SSH sessions the `ssh` way opened. */
  close(): Promise<void>;
}

export interface LabNomadOptions {
  /** How long one request may wait for its answer (a stream: for the head of it, unless it follows). */
  timeoutMs?: number;
  /** How long each server is given to name its leader before the next one is asked. */
  probeTimeoutMs?: number;
  /** Nomad's HTTP port (tests use others). */
  nomadPort?: number;
  /** How the lab is reached; by default as `verify.via` says (tests pass their own). */
  reach?: LabReach;
}

/** Nomad's API of the first server that answers with a leader; when none does, a NomadLabError with each answer. */
export async function openLabNomad(cluster: Cluster, options: LabNomadOptions = {}): Promise<LabNomad> {
  const { timeoutMs = 10_000, probeTimeoutMs = 3000, nomadPort = NOMAD_HTTP_PORT } = options;
  const credentials = agentCredentials(await readLabSecurity(cluster));
  const { reach, close } = options.reach ?? (await labReach(cluster));
  const failures: string[] = [];
  for (const server of servers(cluster.spec)) {
    const { base, auth } = agentApi(server.address, nomadPort, 'nomad', credentials);
    const dialer = reach.dialer(server.name);
    try {
      const leader = await getJson<string>(`${base}/v1/status/leader`, probeTimeoutMs, auth, dialer);
      if (!leader) {
        failures.push(`${server.name}: no Nomad leader yet`);
        continue;
      }
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      failures.push(`${server.name}: ${error.message}`);
      continue;
    }
    return {
      server: server.name,
      get: (path) => getJson(`${base}${path}`, timeoutMs, auth, dialer),
      find: (path) => findJson(`${base}${path}`, timeoutMs, auth, dialer),
      stream: (path, onData, { follow = false, signal } = {}) =>
        httpStream(`${base}${path}`, follow ? undefined : timeoutMs, onData, auth, dialer, signal),
      close,
    };
  }
  await close();
  const way = reach.via === 'ssh' ? 'through its SSH session' : 'from this host';
  throw new NomadLabError(
    `no server of ${cluster.spec.name} answered Nomad's API (${way}):\n  ${failures.join('\n  ')}\n` +
      'Is the lab up? `nomad-lab status` shows what runs.',
  );
}
