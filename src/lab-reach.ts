import type { Cluster } from './config/load.ts';
import { VerifyError } from './errors.ts';
import { knownHostsFile } from './host/dirs.ts';
import type { Remote } from './remote/remote.ts';
import { CONSUL_HTTP_PORT } from './lab-access.ts';
import { DIRECT_REACH, failingDialer, sshDialer, type Dialer, type Reach } from './verify/dialer.ts';
import { hostPort } from './verify/describe.ts';
import { getJson } from './verify/http-json.ts';

// How verify reaches a lab: from this host when its lab addresses answer here, else through each node's SSH session.

export interface LabReach {
  reach: Reach;
  /** Closes the SSH sessions opened for the `ssh` way; nothing for `direct`. */
  close: () => Promise<void>;
}

export interface LabReachOptions {
  /** How long the `auto` probe waits for each node's Consul at its lab address. */
  probeTimeoutMs?: number;
  /** Consul's HTTP port (tests use others). */
  consulPort?: number;
  /** How long to keep trying to open each node's SSH session. */
  sshDeadlineMs?: number;
  /** Open SSH sessions by node (`up`'s own): the `ssh` way uses them, instead of its own, and leaves them open. */
  sessions?: ReadonlyMap<string, Remote>;
}

/**
 * The way cluster.yaml's `verify.via` asks for: `direct`, `ssh`, or `auto`: direct for Vagrant (the lab network is
 * this host's own bridge); for existing hosts direct when any node's Consul answers as itself at its lab address
 * from here (a proxy or a firewall that accepts every connection is not an answer), else ssh.
 */
export async function labReach(cluster: Cluster, options: LabReachOptions = {}): Promise<LabReach> {
  const via = cluster.spec.verify.via;
  if (via === 'direct') return directly('verify.via is direct in the cluster file');
  if (via === 'auto' && cluster.spec.provider.type === 'vagrant')
    return directly("the lab network is this host's own (Vagrant)");
  const { sessions, sshDeadlineMs = 10_000 } = options;
  const ssh = (reason: string) =>
    sessions ? throughSessions(sessions, reason) : throughSsh(cluster, reason, sshDeadlineMs);
  if (via === 'ssh') return ssh('verify.via is ssh in the cluster file');
  const { probeTimeoutMs = 1500, consulPort = CONSUL_HTTP_PORT } = options;
  const answered = await Promise.all(
    cluster.spec.nodes.map((node) => consulAnswers(node.name, node.address, consulPort, probeTimeoutMs)),
  );
  const first = cluster.spec.nodes.find((_, i) => answered[i]);
  if (first)
    return directly(`${first.name}'s Consul answered at ${hostPort(first.address, consulPort)} from this host`);
  const tried = cluster.spec.nodes.map((n) => hostPort(n.address, consulPort)).join(', ');
  return ssh(`no lab address answered from this host (Consul at ${tried}, ${probeTimeoutMs} ms each)`);
}

function directly(reason: string): LabReach {
  return { reach: { ...DIRECT_REACH, reason }, close: () => Promise.resolve() };
}

/** True when the Consul agent at address says it is `node`. */
async function consulAnswers(node: string, address: string, port: number, timeoutMs: number): Promise<boolean> {
  try {
    const self = await getJson<{ Config?: { NodeName?: string } }>(
      `http://${hostPort(address, port)}/v1/agent/self`,
      timeoutMs,
    );
    return self.Config?.NodeName === node;
  } catch (error) {
    if (error instanceof VerifyError) return false;
    throw error;
  }
}

/**
 * One session per node, opened at once; a node whose session fails gets a dialer that says why, so its checks fail and
 * the others run.
 */
async function throughSsh(cluster: Cluster, reason: string, deadlineMs: number): Promise<LabReach> {
  const [{ providerFor }, { connect }] = await Promise.all([
    import('./providers/index.ts'),
    import('./remote/connect.ts'),
  ]);
  const endpoints = await providerFor(cluster).endpoints(cluster);
  const opened = await Promise.allSettled(
    endpoints.map((e) => connect(e, { knownHostsFile: knownHostsFile(cluster), deadlineMs })),
  );
  const remotes: Remote[] = [];
  const dialers = new Map<string, Dialer>();
  endpoints.forEach((endpoint, i) => {
    const outcome = opened[i]!;
    if (outcome.status === 'fulfilled') {
      remotes.push(outcome.value);
      dialers.set(endpoint.node, sshDialer(outcome.value));
    } else {
      dialers.set(
        endpoint.node,
        failingDialer('ssh', endpoint.node, `no SSH session: ${(outcome.reason as Error).message.split('\n', 1)[0]}`),
      );
    }
  });
  return sshWay(reason, dialers, async () => void (await Promise.allSettled(remotes.map((r) => r.close()))));
}

/** Through sessions someone else opened and closes. */
function throughSessions(sessions: ReadonlyMap<string, Remote>, reason: string): LabReach {
  const dialers = new Map([...sessions].map(([node, remote]) => [node, sshDialer(remote)]));
  return sshWay(reason, dialers, () => Promise.resolve());
}

function sshWay(reason: string, dialers: ReadonlyMap<string, Dialer>, close: () => Promise<void>): LabReach {
  const dialer = (node: string) => dialers.get(node) ?? failingDialer('ssh', node, 'no SSH session to this node');
  return { reach: { via: 'ssh', reason, dialer }, close };
}
