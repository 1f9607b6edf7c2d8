import type { Cluster } from '../config/load.ts';

/** How to reach one node over SSH, as its provider reports it. */
export interface NodeEndpoint {
  /** The node's name in cluster.yaml. */
  node: string;
  /** Where to connect (for Vagrant: what `vagrant ssh-config` says, not the lab address). */
  host: string;
  port: number;
  user: string;
  /** Private key file; undefined means the SSH agent ($SSH_AUTH_SOCK). */
  privateKeyPath?: string;
  /** The node's address on the lab network (cluster.yaml `address`). */
  labAddress: string;
  /** Created by this boot: its SSH host key is new, and a key pinned for an earlier machine of that name is stale. */
  created?: boolean;
}

export type MachineState = 'running' | 'stopped' | 'not_created' | 'unknown';

export interface MachineStatus {
  node: string;
  state: MachineState;
  /** The provider's own word for it, e.g. Vagrant's `preparing`. */
  detail: string;
}

export interface BootOptions {
  onProgress?: (line: string) => void;
}

/** Brings a cluster's machines up and tells how to reach them; `ssh` for existing hosts, `vagrant` otherwise. */
export interface Provider {
  readonly name: string;
  /** Boots what is not running (nothing, for existing hosts) and returns every node's endpoint. */
  up(cluster: Cluster, options?: BootOptions): Promise<NodeEndpoint[]>;
  /** Endpoints of machines that are already up; throws ProviderError naming a node that is not. */
  endpoints(cluster: Cluster): Promise<NodeEndpoint[]>;
  status(cluster: Cluster): Promise<MachineStatus[]>;
  /** Destroys the machines and whatever the provider made for them; a second call is fine. */
  down(cluster: Cluster, options?: BootOptions): Promise<void>;
}
