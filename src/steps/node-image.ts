import { containerImage, preloadedPackages } from '../config/machines.ts';
import { ensureNodeImage } from '../images/node-image.ts';
import { defineStep } from '../pipeline/step.ts';

/** The node image for the docker backend, built only when its recipe changed. */
export const nodeImage = defineStep({
  name: 'node image',
  needs: [],
  makes: ['nodeImage'],
  async run({ cluster }, say) {
    const image = containerImage(cluster.spec);
    if (image === undefined) return { nodeImage: '', skipped: 'no container machines' };
    const result = await ensureNodeImage({ name: image, preload: preloadedPackages(cluster.spec), onProgress: say });
    return { nodeImage: result.tag, summary: `${result.tag} ${result.built ? 'built' : 'up to date'}` };
  },
});
