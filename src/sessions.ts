import type { Cluster } from './config/load.ts';
import { knownHostsFile } from './host/dirs.ts';
import { providerFor } from './providers/index.ts';
import { connect, type ConnectOptions } from './remote/connect.ts';
import type { NodeEndpoint } from './remote/endpoint.ts';
import type { Remote } from './remote/remote.ts';

/**
 * One session per endpoint, opened at once. When any node cannot be reached, the sessions that did open are
 * closed (nobody else holds them, and they would keep the process alive) and the failures are thrown.
 */
export async function openAll(
  endpoints: readonly NodeEndpoint[],
  options: (endpoint: NodeEndpoint) => ConnectOptions,
): Promise<Map<string, Remote>> {
  const opened = await Promise.allSettled(endpoints.map(async (e) => [e.node, await connect(e, options(e))] as const));
  const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failures = opened.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
  if (failures.length > 0) {
    await Promise.allSettled(sessions.map(([, remote]) => remote.close()));
    throw failures.length === 1
      ? failures[0]!
      : new AggregateError(failures, failures.map((f) => f.message).join('\n'));
  }
  return new Map(sessions);
}

/** Sessions to a running lab's nodes (all, or the ones named), with the lab's pinned host keys. */
export async function openSessions(cluster: Cluster, nodes?: readonly string[]): Promise<Map<string, Remote>> {
  const endpoints = (await providerFor(cluster).endpoints(cluster)).filter((e) => !nodes || nodes.includes(e.node));
  return openAll(endpoints, () => ({ knownHostsFile: knownHostsFile(cluster), deadlineMs: 30_000 }));
}

export async function closeAll(remotes: Map<string, Remote>): Promise<void> {
  await Promise.allSettled([...remotes.values()].map((r) => r.close()));
}
