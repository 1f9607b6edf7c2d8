import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../../host/atomic-write.ts';
import type { NodeEndpoint } from '../../remote/endpoint.ts';
import { inspectNodeContainers } from './node-containers.ts';

// The endpoints the last `up` found, kept in the lab's state folder: `vagrant status` and `ssh-config`
// cost seconds each, and a re-run, `status`, `reset` and `plan` only need to know nothing moved. For the docker
// backend one `docker inspect` proves it (same containers, all running); anything else asks Vagrant again.

interface CachedEndpoints {
  /** sha256 of the Vagrantfile the endpoints came from. */
  vagrantfile: string;
  nodes: { endpoint: NodeEndpoint; container: string; id: string }[];
}

const FILE = 'endpoints.json';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Container name and full id of each running container of `names`; a name that is not running is left out. */
async function runningContainers(names: readonly string[]): Promise<Map<string, string>> {
  const containers = await inspectNodeContainers(names);
  return new Map([...containers].filter(([, c]) => c.running).map(([name, c]) => [name, c.id]));
}

/** The cached endpoints, when the Vagrantfile is the one they came from and every container is the same and running. */
export async function confirmedEndpoints(
  stateDir: string,
  vagrantfile: string,
  nodes: readonly string[],
): Promise<NodeEndpoint[] | undefined> {
  let cached: CachedEndpoints;
  try {
    cached = JSON.parse(await readFile(join(stateDir, FILE), 'utf8')) as CachedEndpoints;
  } catch {
    return undefined;
  }
  if (cached.vagrantfile !== sha256(vagrantfile)) return undefined;
  const byNode = new Map(cached.nodes.map((n) => [n.endpoint.node, n]));
  if (!nodes.every((n) => byNode.has(n))) return undefined;
  const running = await runningContainers(nodes.map((n) => byNode.get(n)!.container));
  if (!nodes.every((n) => running.get(byNode.get(n)!.container) === byNode.get(n)!.id)) return undefined;
  return nodes.map((n) => byNode.get(n)!.endpoint);
}

/** Keeps the endpoints `up` just found, with the containers (name and id) they are true of. */
export async function rememberEndpoints(
  stateDir: string,
  vagrantfile: string,
  nodes: CachedEndpoints['nodes'],
): Promise<void> {
  await ensurePrivateDir(stateDir);
  await writeFileAtomic(
    join(stateDir, FILE),
    `${JSON.stringify({ vagrantfile: sha256(vagrantfile), nodes } satisfies CachedEndpoints, null, 2)}\n`,
    { mode: 0o600 },
  );
}
