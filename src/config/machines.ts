import type { ClusterSpec, NodeSpec } from './schema.ts';
import { runsTasks } from './topology.ts';
import { nodeDrivers } from './drivers.ts';

/**
 * Podman from Debian where a client enables the podman driver: runc runs its containers (crun, podman's first
 * choice, refuses a hybrid cgroup tree), catatonit is a task's `init`, the CNI plugins and iptables publish its
 * ports (docs/lab-host.md §8).
 */
export const PODMAN_PACKAGES = ['podman', 'runc', 'catatonit', 'containernetworking-plugins', 'iptables'] as const;

/**
 * The node image when the machines are containers on this host (Vagrant's docker backend),
 * undefined for VMs and existing hosts. Containers share the host's cgroup tree and Docker.
 */
export function containerImage(spec: Pick<ClusterSpec, 'provider'>): string | undefined {
  return spec.provider.type === 'vagrant' && spec.provider.backend === 'docker' ? spec.provider.image : undefined;
}

/** Hosts that existed before the lab (provider type ssh): nomad-lab did not make them, so they may hold anything. */
export function existingHosts(spec: Pick<ClusterSpec, 'provider'>): boolean {
  return spec.provider.type === 'ssh';
}

/**
 * The Debian packages `up` installs on a node: dnsmasq everywhere (for `.consul` names), Docker where tasks run,
 * podman where a client enables it.
 */
export function nodePackages(
  spec: Pick<ClusterSpec, 'docker' | 'versions' | 'drivers'>,
  node: NodeSpec,
): Array<{ name: string; version?: string }> {
  const podman = nodeDrivers(spec, node)?.podman.enabled === true;
  return [...imagePackages(spec, node), ...(podman ? PODMAN_PACKAGES.map((name) => ({ name })) : [])];
}

/** The packages every node image may carry: the same for every lab, so one image serves them all. */
function imagePackages(
  spec: Pick<ClusterSpec, 'docker' | 'versions'>,
  node: NodeSpec,
): Array<{ name: string; version?: string }> {
  return [
    { name: 'dnsmasq' },
    ...(runsTasks(node)
      ? [
          {
            name: spec.docker.package,
            ...(spec.versions.docker === undefined ? {} : { version: spec.versions.docker }),
          },
        ]
      : []),
  ];
}

/**
 * The packages the node image carries preinstalled (`provider.preload`, on by default for the docker backend):
 * every package any node installs, so `up` finds them present instead of running apt on each node. Podman is
 * not among them: a lab that enables it installs it at `up` on its podman clients only (seconds), and every
 * lab keeps the one node image.
 */
export function preloadedPackages(spec: Pick<ClusterSpec, 'provider' | 'nodes' | 'docker' | 'versions'>): string[] {
  if (containerImage(spec) === undefined || spec.provider.type !== 'vagrant' || !spec.provider.preload) return [];
  return [...new Set(spec.nodes.flatMap((node) => imagePackages(spec, node).map((p) => p.name)))].sort();
}
