import type { ClusterSpec, NodeSpec } from './schema.ts';
import { runsTasks } from './topology.ts';

// The lab registry (cluster.yaml `registry`): where it runs, and the paths its planners write on the nodes.

/** The registry's user in its htpasswd file; its password is the lab's own (`nomad-lab registry`). */
export const REGISTRY_USER = 'nomadlab';

/** Debian's docker-registry reads its config from here and runs as this user. */
export const REGISTRY_CONFIG_DIR = '/etc/docker/registry';
export const REGISTRY_UNIT = 'docker-registry';
export const REGISTRY_SYSTEM_USER = 'docker-registry';

/** nomad-lab's own files for the registry on every node that pulls or pushes: its credentials, a Docker config.json. */
export const REGISTRY_AUTH_DIR = '/etc/nomad-lab/registry';
export const REGISTRY_AUTH_FILE = `${REGISTRY_AUTH_DIR}/config.json`;

/** Docker trusts a registry's CA from this folder, named after the address and port the images name. */
export const DOCKER_CERTS_DIR = '/etc/docker/certs.d';

/** The node that runs the registry, undefined when the cluster file has none. */
export function registryNode(spec: Pick<ClusterSpec, 'registry' | 'nodes'>): NodeSpec | undefined {
  const registry = spec.registry;
  return registry && spec.nodes.find((n) => n.name === registry.node);
}

/** `10.77.0.10:5000`: how job files name the registry in their images, undefined without one. */
export function registryHost(spec: Pick<ClusterSpec, 'registry' | 'nodes'>): string | undefined {
  const node = registryNode(spec);
  return node && `${node.address}:${spec.registry!.port}`;
}

/** The nodes that use the registry: the clients pull from it, its own node pushes to it. */
export function registryUsers(spec: Pick<ClusterSpec, 'registry' | 'nodes'>): NodeSpec[] {
  const own = registryNode(spec);
  if (!own) return [];
  return spec.nodes.filter((n) => runsTasks(n) || n.name === own.name);
}
