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
  /**
   * A host folder the node sees read-only (the docker backend mounts nomad-lab's cache): a put of a file in it is
   * a copy on the node, not an upload.
   */
  hostShare?: HostShare;
  /** Created by this boot: its SSH host key is new, and a key pinned for an earlier machine of that name is stale. */
  created?: boolean;
}

/** A host folder and where the node sees it. */
export interface HostShare {
  hostDir: string;
  nodeDir: string;
}
