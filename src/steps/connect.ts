import { join } from 'node:path';
import { labStateDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';
import { connect as open } from '../remote/connect.ts';
import { forgetHostKeys } from '../remote/known-hosts.ts';
import { ensureGossipKey } from '../state/gossip-key.ts';

/** One SSH session per node with pinned host keys, reused by every later step; and the lab's gossip key. */
export const connect = defineStep({
  name: 'connect',
  needs: ['endpoints'],
  makes: ['remotes', 'gossipKey'],
  async run({ cluster, endpoints }, say) {
    const knownHostsFile = join(labStateDir(cluster), 'known_hosts');
    const gossipKey = await ensureGossipKey(labStateDir(cluster));
    const created = endpoints.filter((e) => e.created).map((e) => e.node);
    // nomad-lab booted these machines itself just now: their new host keys are expected, not a warning sign.
    if (created.length > 0 && (await forgetHostKeys(knownHostsFile, created)) > 0) say(`new machines, host keys pinned anew: ${created.join(', ')}`);
    const opened = await Promise.allSettled(
      endpoints.map(async (endpoint) => {
        const remote = await open(endpoint, { knownHostsFile, onRetry: ({ attempt }) => say(`${endpoint.node}: not answering yet (try ${attempt})`) });
        return [endpoint.node, remote] as const;
      }),
    );
    const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failures = opened.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    if (failures.length > 0) {
      // The sessions that did open would keep this process alive: nobody else holds them yet.
      await Promise.allSettled(sessions.map(([, remote]) => remote.close()));
      throw failures.length === 1 ? failures[0] : new AggregateError(failures, failures.map((f) => f.message).join('\n'));
    }
    return { remotes: new Map(sessions), gossipKey, summary: `${sessions.length} SSH sessions` };
  },
});
