import type { ClusterSpec } from './schema.ts';

/**
 * The node image when the machines are containers on this host (Vagrant's docker backend),
 * undefined for VMs and existing hosts. Containers share the host's cgroup tree and Docker.
 */
export function containerImage(spec: Pick<ClusterSpec, 'provider'>): string | undefined {
  return spec.provider.type === 'vagrant' && spec.provider.backend === 'docker' ? spec.provider.image : undefined;
}
