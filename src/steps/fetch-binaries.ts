import { cachedArtifact, ensureArtifact, type Artifact } from '../artifacts/fetch.ts';
import { isUrl, readPluginRecipe } from '../artifacts/plugin-build.ts';
import { artifactPath, nodePlatform, type ArtifactName } from '../artifacts/products.ts';
import { podmanNodes } from '../config/drivers.ts';
import type { Cluster } from '../config/load.ts';
import { resolveFrom } from '../config/paths.ts';
import { cacheDir } from '../host/dirs.ts';
import type { Products } from '../pipeline/state.ts';
import { defineStep } from '../pipeline/step.ts';

/** What the cluster file asks of the cache for `product`: Consul and Nomad at `versions`, a plugin at its pin. */
export async function artifactRequest({ spec, dir }: Cluster, product: ArtifactName) {
  const { source, directory, podman } = spec.artifacts;
  const plugin = product === 'nomad-driver-podman';
  const archive = podman.archive && (isUrl(podman.archive) ? podman.archive : resolveFrom(dir, podman.archive));
  return {
    product,
    version: plugin ? (await readPluginRecipe(product)).version : spec.versions[product],
    source,
    ...(directory ? { directory: resolveFrom(dir, directory) } : {}),
    ...(plugin && archive ? { archive: { location: archive, sha256: podman.sha256 } } : {}),
    cacheDir: cacheDir(),
  };
}

/** Consul, Nomad, and the podman plugin where a client enables podman: what the lab's nodes are given. */
export function wantedArtifacts(cluster: Cluster): ArtifactName[] {
  return ['consul', 'nomad', ...(podmanNodes(cluster.spec).length > 0 ? (['nomad-driver-podman'] as const) : [])];
}

function byName(fetched: Artifact[]): Products['artifacts'] {
  const find = (name: ArtifactName) => fetched.find((a) => a.product === name);
  const podman = find('nomad-driver-podman');
  return { consul: find('consul')!, nomad: find('nomad')!, ...(podman ? { podman } : {}) };
}

/** Consul and Nomad at the pinned versions into the host's cache: nodes never download them themselves. */
export const fetchBinaries = defineStep({
  name: 'Consul and Nomad binaries',
  needs: [],
  makes: ['artifacts'],
  async run({ cluster }, say) {
    const fetched: Artifact[] = [];
    for (const name of wantedArtifacts(cluster))
      fetched.push(await ensureArtifact({ ...(await artifactRequest(cluster, name)), onProgress: say }));
    return {
      artifacts: byName(fetched),
      summary: fetched.map((a) => `${a.product} ${a.version} (${a.from})`).join(', '),
    };
  },
  async preview({ cluster }) {
    const host: string[] = [];
    const look = async (product: ArtifactName): Promise<Artifact> => {
      const wanted = await artifactRequest(cluster, product);
      const cached = await cachedArtifact(wanted);
      if (cached) return cached;
      host.push(`fetch ${product} ${wanted.version} into the cache (artifacts.source ${wanted.source})`);
      const platform = nodePlatform();
      const path = artifactPath(wanted.cacheDir, product, wanted.version, platform);
      return { product, version: wanted.version, platform, path, sha256: '', size: 0, from: 'cache' };
    };
    // Cache reads only: asked at once.
    return { artifacts: byName(await Promise.all(wantedArtifacts(cluster).map(look))), host };
  },
});
