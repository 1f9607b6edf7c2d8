import { defineStep } from '../pipeline/step.ts';
import { providerFor } from '../providers/index.ts';

/** The provider boots what is not running (nothing, for existing hosts) and says how to reach every node. */
export const bootMachines = defineStep({
  name: 'boot machines',
  needs: ['nodeImage'],
  makes: ['endpoints'],
  async run({ cluster }, say) {
    const endpoints = await providerFor(cluster).up(cluster, { onProgress: say });
    return { endpoints, summary: `${endpoints.length} machines up` };
  },
});
