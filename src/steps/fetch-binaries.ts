import { cachedArtifact, ensureArtifact, type Artifact } from '../artifacts/fetch.ts';
import { artifactPath, nodePlatform, type Product } from '../artifacts/products.ts';
import type { Cluster } from '../config/load.ts';
import { resolveFrom } from '../config/paths.ts';
import { cacheDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';

/** What the cluster file asks of the cache for `product`. */
function request({ spec, dir }: Cluster, product: Product) {
  return {
    product,
    version: spec.versions[product],
    source: spec.artifacts.source,
    ...(spec.artifacts.directory ? { directory: resolveFrom(dir, spec.artifacts.directory) } : {}),
    cacheDir: cacheDir(),
  };
}

/** Consul and Nomad at the pinned versions into the host's cache: nodes never download them themselves. */
export const fetchBinaries = defineStep({
  name: 'Consul and Nomad binaries',
  needs: [],
  makes: ['artifacts'],
  async run({ cluster }, say) {
    const fetch = (product: Product) => ensureArtifact({ ...request(cluster, product), onProgress: say });
    const artifacts = { consul: await fetch('consul'), nomad: await fetch('nomad') };
    const { consul, nomad } = artifacts;
    return { artifacts, summary: `consul ${consul.version} (${consul.from}), nomad ${nomad.version} (${nomad.from})` };
  },
  async preview({ cluster }) {
    const host: string[] = [];
    const look = async (product: Product): Promise<Artifact> => {
      const wanted = request(cluster, product);
      const cached = await cachedArtifact(wanted);
      if (cached) return cached;
      host.push(`fetch ${product} ${wanted.version} into the cache (artifacts.source ${wanted.source})`);
      const platform = nodePlatform();
      const path = artifactPath(wanted.cacheDir, product, wanted.version, platform);
      return { product, version: wanted.version, platform, path, sha256: '', size: 0, from: 'cache' };
    };
    return { artifacts: { consul: await look('consul'), nomad: await look('nomad') }, host };
  },
});
