import type { Cluster } from '../config/load.ts';

export type { NodeEndpoint } from '../remote/endpoint.ts';
import type { NodeEndpoint } from '../remote/endpoint.ts';

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
