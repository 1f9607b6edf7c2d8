import type { Artifact } from '../artifacts/fetch.ts';
import { PLUGIN_DIR, podmanNodes } from '../config/drivers.ts';
import type { NodeSpec } from '../config/schema.ts';
import { userExists } from '../facts/facts.ts';
import { dirStates, planDirs, type WantedDir } from '../ops/dirs.ts';
import { fileStates, HASH_CACHE_ROOT, planFiles, type WantedFile } from '../ops/files.ts';
import { planSystemUser } from '../ops/users.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import type { Base, ChangedBinaries, Products } from '../pipeline/state.ts';
import { definePlanner, type PlannedChanges } from '../pipeline/step.ts';

const PRODUCTS = ['consul', 'nomad'] as const;
const binaryPath = (product: (typeof PRODUCTS)[number]) => `/usr/local/bin/${product}`;

const DIRS: WantedDir[] = [
  { path: '/etc/consul.d', owner: 'consul', mode: '750' },
  { path: '/opt/consul', owner: 'consul', mode: '750' },
  { path: '/etc/nomad.d', owner: 'root', mode: '750' },
  { path: '/opt/nomad', owner: 'root', mode: '711' },
  { path: '/etc/nomad-lab', owner: 'root', mode: '755' },
];

const PODMAN_PLUGIN = `${PLUGIN_DIR}/nomad-driver-podman`;

const binary = (path: string, artifact: Artifact): WantedFile => ({
  path,
  source: { localPath: artifact.path, sha256: artifact.sha256 },
  sha256: artifact.sha256,
  mode: 0o755,
  owner: 'root',
  group: 'root',
});

function binaries({ artifacts }: Pick<Products, 'artifacts'>): WantedFile[] {
  return PRODUCTS.map((product) => binary(binaryPath(product), artifacts[product]));
}

/** The podman driver's plugin in Nomad's plugin_dir, on the clients that enable it. */
function plugins(node: NodeSpec, { cluster, artifacts }: Base & Pick<Products, 'artifacts'>) {
  if (!podmanNodes(cluster.spec).some((n) => n.name === node.name)) return { dirs: [], files: [] };
  if (!artifacts.podman) throw new Error('the podman plugin was not fetched: the binaries step did not ask for it');
  return {
    dirs: [{ path: PLUGIN_DIR, owner: 'root', mode: '755' }],
    files: [binary(PODMAN_PLUGIN, artifacts.podman)],
  };
}

/** Consul's user first: the folders below are owned by it. */
export const consulUser = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: () => ({ consul: userExists('consul') }),
  plan: (_node: NodeSpec, facts) => planSystemUser('consul', facts.consul, '/etc/consul.d'),
});

/**
 * Consul and Nomad from the host's artifact cache (never downloaded per node), and their folders; the podman driver's
 * plugin on the clients that enable it (under /opt/nomad). Reading a binary's state remembers its sha256 in the
 * node's hash cache.
 */
export const hashicorpBinaries = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: () => ({
    dirs: dirStates([...DIRS.map((d) => d.path), PLUGIN_DIR]),
    binaries: fileStates([...PRODUCTS.map(binaryPath), PODMAN_PLUGIN]),
  }),
  plan(node: NodeSpec, facts, state: Base & Pick<Products, 'artifacts'>) {
    const plugin = plugins(node, state);
    return [
      ...planDirs([...DIRS, ...plugin.dirs], facts.dirs),
      ...planFiles([...binaries(state), ...plugin.files], facts.binaries),
    ];
  },
  owns: [...DIRS.map((d) => d.path), ...PRODUCTS.map(binaryPath), HASH_CACHE_ROOT],
});

/** Nodes whose binaries are written this run: their services restart. */
function changedBinaries(planned: PlannedChanges): ChangedBinaries {
  const written: ChangedBinaries = new Map();
  for (const [node, changes] of planned[1] ?? []) {
    written.set(
      node,
      new Set(
        PRODUCTS.filter((p) =>
          // Nomad starts its plugins when it starts: a new plugin binary takes a restart too.
          changes.some(
            (c) => c.kind === 'put' && (c.path === binaryPath(p) || (p === 'nomad' && c.path === PODMAN_PLUGIN)),
          ),
        ),
      ),
    );
  }
  return written;
}

export const installHashicorp = remoteStep({
  name: 'install Consul and Nomad',
  needs: ['artifacts'],
  makes: ['binaries'],
  planners: [consulUser, hashicorpBinaries],
  derive: (planned) => ({ binaries: changedBinaries(planned) }),
});
