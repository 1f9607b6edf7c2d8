import { Socket } from 'node:net';
import type { Cluster } from '../config/load.ts';
import { resolveFrom } from '../config/paths.ts';
import { ProviderError } from '../errors.ts';
import { printableLine } from '../text.ts';
import type { BootOptions, MachineStatus, NodeEndpoint, Provider } from './provider.ts';

export interface SshProviderOptions {
  /** How long the reachability probe waits for a TCP connect, in ms. */
  probeTimeout?: number;
}

/** Existing hosts (cloud VMs, bare metal): reached as cluster.yaml says; nothing is booted or destroyed. */
export class SshProvider implements Provider {
  readonly name = 'ssh';
  readonly #probeTimeout: number;

  constructor(options: SshProviderOptions = {}) {
    this.#probeTimeout = options.probeTimeout ?? 3000;
  }

  async up(cluster: Cluster, options: BootOptions = {}): Promise<NodeEndpoint[]> {
    options.onProgress?.(`existing hosts: nothing to boot (${cluster.spec.nodes.length} nodes)`);
    return this.endpoints(cluster);
  }

  /**
   * A lab of another provider type is a rejected promise, as from the other providers (the executor turns the throw
   * into one).
   */
  endpoints(cluster: Cluster): Promise<NodeEndpoint[]> {
    return new Promise((resolve) => resolve(sshEndpoints(cluster)));
  }

  /**
   * `running` when an SSH server greets at the host's SSH address, else `unknown`: a host that does not answer may
   * still exist. A TCP connect alone proves nothing where a proxy or firewall accepts every connection.
   */
  async status(cluster: Cluster): Promise<MachineStatus[]> {
    return Promise.all(
      sshEndpoints(cluster).map(async (e) => {
        const greeting = await sshGreeting(e.host, e.port, this.#probeTimeout);
        return greeting.ok
          ? { node: e.node, state: 'running' as const, detail: `${e.host}:${e.port} answers ${greeting.text}` }
          : { node: e.node, state: 'unknown' as const, detail: `${e.host}:${e.port} ${greeting.text}` };
      }),
    );
  }

  down(cluster: Cluster, options: BootOptions = {}): Promise<void> {
    // In an executor, so a throwing onProgress rejects (as from the other providers) rather than throws.
    return new Promise((resolve) => {
      options.onProgress?.(
        `existing hosts: nothing destroyed (${cluster.spec.nodes.map((n) => n.name).join(', ')} keep running)`,
      );
      resolve();
    });
  }
}

/**
 * Endpoints from cluster.yaml: a node's `ssh` overrides the provider's defaults; `host` defaults to the node's address.
 */
export function sshEndpoints(cluster: Pick<Cluster, 'dir' | 'spec'>): NodeEndpoint[] {
  const { provider } = cluster.spec;
  if (provider.type !== 'ssh')
    throw new ProviderError(`the ssh provider cannot run a lab of provider type "${provider.type}"`);
  return cluster.spec.nodes.map((node) => {
    const key = node.ssh?.key ?? provider.key;
    return {
      node: node.name,
      host: node.ssh?.host ?? node.address,
      port: node.ssh?.port ?? provider.port,
      user: node.ssh?.user ?? provider.user,
      ...(key === undefined ? {} : { privateKeyPath: resolveFrom(cluster.dir, key) }),
      labAddress: node.address,
    };
  });
}

/** The SSH identification line a server sends first (`SSH-2.0-OpenSSH_9.2p1 ...`), or why there was none. */
function sshGreeting(host: string, port: number, timeout: number): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = '';
    const finish = (ok: boolean, text: string) => {
      socket.destroy();
      resolve({ ok, text });
    };
    socket.setTimeout(timeout, () =>
      finish(
        false,
        received === '' && socket.readyState === 'open'
          ? `accepts connections but sends no SSH greeting within ${timeout} ms`
          : `no answer within ${timeout} ms`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // RFC 4253 4.2: the server may send other lines before its identification line.
      const line = received.split('\r\n').find((l) => l.startsWith('SSH-'));
      if (line !== undefined) finish(true, printableLine(line.slice(0, 80)));
      else if (received.length > 4096) finish(false, 'answers, but not as an SSH server');
    });
    socket.once('end', () => finish(false, 'closed the connection without an SSH greeting'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(false, `not reachable (${error.code ?? error.message})`),
    );
    socket.connect(port, host);
  });
}
