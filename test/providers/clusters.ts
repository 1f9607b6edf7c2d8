import { loadCluster, type Cluster } from '../../src/config/load.ts';

export const NODE_IMAGE = 'nomadlab/node:0123456789ab';

/** A cluster file loaded, with its provider section replaced (as a person would edit it). */
export async function withProvider(file: string, provider: Cluster['spec']['provider']): Promise<Cluster> {
  const cluster = await loadCluster(file);
  return { ...cluster, spec: { ...cluster.spec, provider } };
}

export const virtualbox = {
  type: 'vagrant',
  backend: 'virtualbox',
  image: 'nomadlab/node',
  preload: true,
  box: 'debian/bookworm64',
} as const;
export const libvirt = { ...virtualbox, backend: 'libvirt' } as const;
