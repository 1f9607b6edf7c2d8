import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { probe, run } from '../../host/run.ts';
import { nodeContainerName } from '../../config/names.ts';
import { LAB_LABEL } from '../../render/docker-node-flags.ts';

// What the docker backend can leave on the host after `vagrant destroy` (lab-host-notes §3, §4),
// and how to find only this lab's share of it.

const CGROUP_ROOT = '/sys/fs/cgroup';

export { labCgroupParent } from '../../config/names.ts';

export interface LabContainers {
  /** Containers with a node's name and the lab's label: name → full id. */
  ours: Map<string, string>;
  /** Containers with a node's name but without the lab's label: someone else's, left alone. */
  strangers: string[];
}

/** The `docker ps` format labContainers reads: id, name, and the value of the lab label. */
const CONTAINER_FORMAT = `{{.ID}} {{.Names}} {{.Label "${LAB_LABEL}"}}`;

/** Node containers of the lab that exist, by the names the Vagrantfile gives them and the label it sets. */
export async function labContainers(lab: string, nodes: readonly string[]): Promise<LabContainers> {
  return parseLabContainers(await run('docker', ['ps', '-a', '--no-trunc', '--format', CONTAINER_FORMAT]), lab, nodes);
}

export function parseLabContainers(listing: string, lab: string, nodes: readonly string[]): LabContainers {
  const names = new Set(nodes.map((n) => nodeContainerName(lab, n)));
  const found: LabContainers = { ours: new Map(), strangers: [] };
  for (const line of listing.split('\n')) {
    const [id, name, label = ''] = line.trim().split(' ');
    if (!id || !name || !names.has(name)) continue;
    if (label === lab) found.ours.set(name, id);
    else found.strangers.push(name);
  }
  return found;
}

/** Containers a node's own dockerd runs; their cgroups sit beside the host's, under /docker. Empty when it has none. */
export async function innerContainerIds(container: string): Promise<string[]> {
  const result = await probe(
    'docker',
    ['exec', container, 'sh', '-c', 'command -v docker >/dev/null || exit 0; docker ps -aq --no-trunc'],
    { timeout: 20_000 },
  );
  return result.ok
    ? result.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^[0-9a-f]{64}$/.test(l))
    : [];
}

export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length > 0) await run('docker', ['rm', '-f', '-v', ...names]);
}

/**
 * Removes the docker network Vagrant made for the lab's subnet when no container uses it.
 * Vagrant usually removes it itself; this covers an interrupted destroy. Returns the names removed.
 */
export async function removeLabNetwork(cidr: string): Promise<string[]> {
  const names = (await run('docker', ['network', 'ls', '--filter', 'name=vagrant_network', '--format', '{{.Name}}']))
    .split('\n')
    .filter(Boolean);
  const removed: string[] = [];
  for (const name of names) {
    const inspected = await probe('docker', [
      'network',
      'inspect',
      '--format',
      '{{range .IPAM.Config}}{{.Subnet}} {{end}}|{{len .Containers}}',
      name,
    ]);
    if (!inspected.ok) continue;
    const [subnets = '', containers = ''] = inspected.stdout.split('|');
    if (subnets.split(' ').includes(cidr) && containers.trim() === '0') {
      await run('docker', ['network', 'rm', name]);
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Removes the lab's empty cgroup folders in every hierarchy: `docker/<id>` for the given
 * container ids (nodes and the containers inside them) and the lab's own cgroup parents.
 * rmdir only succeeds on a cgroup with no tasks, so nothing alive is touched. Returns how many went.
 */
export async function removeLabCgroups(
  lab: string,
  containerIds: readonly string[],
  root = CGROUP_ROOT,
): Promise<number> {
  const hierarchies = await readdir(root).catch(() => [] as string[]);
  const prefix = `nomad-lab.${lab}.`;
  let removed = 0;
  for (const hierarchy of hierarchies) {
    const base = join(root, hierarchy);
    const own = (await readdir(base, { withFileTypes: true }).catch(() => []))
      .filter((e) => e.isDirectory() && e.name.startsWith(prefix))
      .map((e) => join(base, e.name));
    for (const dir of [...containerIds.map((id) => join(base, 'docker', id)), ...own]) {
      removed += await removeEmptyTree(dir);
    }
  }
  return removed;
}

async function removeEmptyTree(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return 0;
  let removed = 0;
  for (const entry of entries) {
    if (entry.isDirectory()) removed += await removeEmptyTree(join(dir, entry.name));
  }
  try {
    await rmdir(dir);
    return removed + 1;
  } catch {
    // Busy (tasks still in it) or not ours to remove: leave it.
    return removed;
  }
}
