import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../../host/atomic-write.ts';
import { probe } from '../../host/run.ts';
import type { NodeEndpoint } from '../../remote/endpoint.ts';

// What the last `vagrant ssh-config` said, kept in the lab's state folder: `vagrant status` and `ssh-config`
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
  const result = await probe('docker', ['inspect', '--format', '{{.Name}} {{.Id}} {{.State.Running}}', ...names], { timeout: 15_000 });
  // docker inspect exits 1 when one name is unknown, and still prints the others.
  const running = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [name, id, state] = line.trim().split(' ');
    if (name && id && state === 'true') running.set(name.replace(/^\//, ''), id);
  }
  return running;
}

/** The cached endpoints, when the Vagrantfile is the one they came from and every container is the same and running. */
export async function confirmedEndpoints(stateDir: string, vagrantfile: string, nodes: readonly string[]): Promise<NodeEndpoint[] | undefined> {
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

/** Keeps what Vagrant just said, with the containers it is true of. */
export async function rememberEndpoints(stateDir: string, vagrantfile: string, endpoints: readonly NodeEndpoint[], containerOf: (node: string) => string): Promise<void> {
  const running = await runningContainers(endpoints.map((e) => containerOf(e.node)));
  const nodes = endpoints.flatMap((e) => {
    const id = running.get(containerOf(e.node));
    return id ? [{ endpoint: e, container: containerOf(e.node), id }] : [];
  });
  if (nodes.length !== endpoints.length) return;
  await ensurePrivateDir(stateDir);
  await writeFileAtomic(join(stateDir, FILE), `${JSON.stringify({ vagrantfile: sha256(vagrantfile), nodes } satisfies CachedEndpoints, null, 2)}\n`, { mode: 0o600 });
}
