import { rm } from 'node:fs/promises';
import type { Cluster } from './config/load.ts';
import { labStateDir } from './host/dirs.ts';
import { providerFor } from './providers/index.ts';
import { withLabLock } from './state/lab-lock.ts';

/** Machines, networks and the lab's state gone; a second call is fine. */
export async function down(cluster: Cluster, options: { onProgress?: (line: string) => void } = {}): Promise<void> {
  await withLabLock(cluster, 'down', async () => {
    await providerFor(cluster).down(cluster, options.onProgress ? { onProgress: options.onProgress } : {});
    await rm(labStateDir(cluster), { recursive: true, force: true });
  });
}
