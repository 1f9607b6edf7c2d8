import { Socket } from 'node:net';
import type { Cluster } from '../config/load.ts';
import { resolveFrom } from '../config/paths.ts';
import { ProviderError } from '../errors.ts';
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

  async endpoints(cluster: Cluster): Promise<NodeEndpoint[]> {
    return sshEndpoints(cluster);
  }

  /** `running` when the SSH port accepts a TCP connection, else `unknown`: a host that does not answer may still exist. */
  async status(cluster: Cluster): Promise<MachineStatus[]> {
    return Promise.all(
      sshEndpoints(cluster).map(async (e) => {
        const failure = await tcpConnect(e.host, e.port, this.#probeTimeout);
        return failure === undefined
          ? { node: e.node, state: 'running' as const, detail: `${e.host}:${e.port} accepts connections` }
          : { node: e.node, state: 'unknown' as const, detail: `${e.host}:${e.port} ${failure}` };
      }),
    );
  }

  async down(cluster: Cluster, options: BootOptions = {}): Promise<void> {
    options.onProgress?.(`existing hosts: nothing destroyed (${cluster.spec.nodes.map((n) => n.name).join(', ')} keep running)`);
  }
}

/** Endpoints from cluster.yaml: a node's `ssh` overrides the provider's defaults; `host` defaults to the node's address. */
export function sshEndpoints(cluster: Pick<Cluster, 'dir' | 'spec'>): NodeEndpoint[] {
  const { provider } = cluster.spec;
  if (provider.type !== 'ssh') throw new ProviderError(`the ssh provider cannot run a lab of provider type "${provider.type}"`);
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

/** Undefined when `host:port` accepts a TCP connection, else why not. */
function tcpConnect(host: string, port: number, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeout, () => finish(`no answer within ${timeout} ms`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(`not reachable (${error.code ?? error.message})`));
    socket.connect(port, host);
  });
}
