import { defineStep } from '../pipeline/step.ts';

/**
 * The provider (the state's: up.ts picks it) boots what is not running (nothing, for existing hosts) and says how
 * to reach every node.
 */
export const bootMachines = defineStep({
  name: 'boot machines',
  needs: ['nodeImage'],
  makes: ['endpoints'],
  async run({ cluster, provider }, say) {
    const endpoints = await provider.up(cluster, { onProgress: say });
    return { endpoints, summary: `${endpoints.length} machines up` };
  },
});
