import { knownHostsFile, labStateDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';
import { forgetHostKeys } from '../remote/known-hosts.ts';
import { openAll } from '../sessions.ts';
import { ensureGossipKey } from '../state/gossip-key.ts';

/** One SSH session per node with pinned host keys, reused by every later step; and the lab's gossip key. */
export const connect = defineStep({
  name: 'connect',
  needs: ['endpoints'],
  makes: ['remotes', 'gossipKey'],
  async run({ cluster, endpoints }, say) {
    const file = knownHostsFile(cluster);
    const gossipKey = await ensureGossipKey(labStateDir(cluster));
    const created = endpoints.filter((e) => e.created).map((e) => e.node);
    // nomad-lab booted these machines itself just now: their new host keys are expected, not a warning sign.
    if (created.length > 0 && (await forgetHostKeys(file, created)) > 0) say(`new machines, host keys pinned anew: ${created.join(', ')}`);
    const remotes = await openAll(endpoints, (endpoint) => ({ knownHostsFile: file, onRetry: ({ attempt }) => say(`${endpoint.node}: not answering yet (try ${attempt})`) }));
    return { remotes, gossipKey, summary: `${remotes.size} SSH sessions` };
  },
});
