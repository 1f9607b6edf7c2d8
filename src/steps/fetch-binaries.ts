import { ensureArtifact } from '../artifacts/fetch.ts';
import { resolveFrom } from '../config/paths.ts';
import { cacheDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';

/** Consul and Nomad at the pinned versions into the host's cache: nodes never download them themselves. */
export const fetchBinaries = defineStep({
  name: 'Consul and Nomad binaries',
  needs: [],
  makes: ['artifacts'],
  async run({ cluster }, say) {
    const { spec } = cluster;
    const fetch = (product: 'consul' | 'nomad') =>
      ensureArtifact({
        product,
        version: spec.versions[product],
        source: spec.artifacts.source,
        ...(spec.artifacts.directory ? { directory: resolveFrom(cluster.dir, spec.artifacts.directory) } : {}),
        cacheDir: cacheDir(),
        onProgress: say,
      });
    const artifacts = { consul: await fetch('consul'), nomad: await fetch('nomad') };
    return {
      artifacts,
      summary: `consul ${artifacts.consul.version} (${artifacts.consul.from}), nomad ${artifacts.nomad.version} (${artifacts.nomad.from})`,
    };
  },
});
