import { rm } from 'node:fs/promises';
import type { Cluster } from './config/load.ts';
import { labStateDir } from './host/dirs.ts';
import { providerFor } from './providers/index.ts';
import { withLabLock } from './state/lab-lock.ts';

/**
 * Machines, networks and the lab's state gone; a second call is fine. Existing hosts are never destroyed: their
 * jobs and agents are stopped and what `up` put on them removed. Returns what was removed on existing hosts.
 */
export async function down(cluster: Cluster, options: { onProgress?: (line: string) => void } = {}): Promise<string[]> {
  return withLabLock(cluster, 'down', async () => {
    let removed: string[] = [];
    if (cluster.spec.provider.type === 'ssh') {
      const { cleanHosts } = await import('./clean-hosts.ts');
      removed = await cleanHosts(cluster, options.onProgress);
    }
    await providerFor(cluster).down(cluster, options.onProgress ? { onProgress: options.onProgress } : {});
    await rm(labStateDir(cluster), { recursive: true, force: true });
    return removed;
  });
}
