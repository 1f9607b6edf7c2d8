// How nomad-lab names what it makes on the host, in one pure place: renderers, providers and `down` agree.

/** The node's container name: Vagrant's `d.name`, also what `down` looks for. */
export function nodeContainerName(labName: string, node: string): string {
  return `${labName}-${node}`;
}

/** The docker network Vagrant's docker provider makes for a private network. */
export function vagrantNetworkName(cidr: string): string {
  return `vagrant_network_${cidr}`;
}

/**
 * The cgroup parent of one node's Docker or Nomad tasks. All nodes share the host's cgroup tree (cgroup v1,
 * --cgroupns=host), so each gets its own; a name of this form is how `down` knows the leftovers are this
 * lab's ("." never occurs in a lab or node name).
 */
export function labCgroupParent(lab: string, node: string, purpose: string): string {
  return `/nomad-lab.${lab}.${node}.${purpose}`;
}

/**
 * mode container: the image a node's Docker runs Nomad from, imported on the node from its own binary; tagged by the
 * binary's sha256, so a new binary is a new image (and a changed unit, which restarts the agent).
 */
export function nomadAgentImage(nomadSha256: string): string {
  return `nomadlab/nomad-agent:${nomadSha256.slice(0, 12)}`;
}
