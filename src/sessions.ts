import { join } from 'node:path';
import type { Cluster } from './config/load.ts';
import { labStateDir } from './host/dirs.ts';
import { providerFor } from './providers/index.ts';
import { connect } from './remote/connect.ts';
import type { Remote } from './remote/remote.ts';

/** Sessions to a running lab's nodes (all, or the ones named), with the lab's pinned host keys. */
export async function openSessions(cluster: Cluster, nodes?: readonly string[]): Promise<Map<string, Remote>> {
  const endpoints = (await providerFor(cluster).endpoints(cluster)).filter((e) => !nodes || nodes.includes(e.node));
  const knownHostsFile = join(labStateDir(cluster), 'known_hosts');
  return new Map(await Promise.all(endpoints.map(async (e) => [e.node, await connect(e, { knownHostsFile, deadlineMs: 30_000 })] as const)));
}

export async function closeAll(remotes: Map<string, Remote>): Promise<void> {
  await Promise.allSettled([...remotes.values()].map((r) => r.close()));
}
