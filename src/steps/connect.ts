import { knownHostsFile, labStateDir } from '../host/dirs.ts';
import { defineStep } from '../pipeline/step.ts';
import { forgetHostKeys } from '../remote/known-hosts.ts';
import { NomadLabError } from '../errors.ts';
import { readFact } from '../facts/fact.ts';
import { sudoProblem } from '../facts/facts.ts';
import type { NodeEndpoint } from '../remote/endpoint.ts';
import type { Remote } from '../remote/remote.ts';
import { closeAll, openAll } from '../sessions.ts';
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
    if (created.length > 0 && (await forgetHostKeys(file, created)) > 0)
      say(`new machines, host keys pinned anew: ${created.join(', ')}`);
    const remotes = await openAll(endpoints, (endpoint) => ({
      knownHostsFile: file,
      onRetry: ({ attempt }) => say(`${endpoint.node}: not answering yet (try ${attempt})`),
    }));
    try {
      await refuseWithoutSudo(endpoints, remotes);
    } catch (error) {
      await closeAll(remotes);
      throw error;
    }
    return { remotes, gossipKey, summary: `${remotes.size} SSH sessions` };
  },
});

/**
 * Every later step runs commands as root: a user for whom sudo asks a password or a terminal is refused here, before
 * any change.
 */
async function refuseWithoutSudo(endpoints: readonly NodeEndpoint[], remotes: Map<string, Remote>): Promise<void> {
  const problems = await Promise.all(
    endpoints
      .filter((e) => e.user !== 'root')
      .map(async (e) => {
        const problem = await readFact(remotes.get(e.node)!, sudoProblem(e.user));
        return problem === undefined ? [] : [`[${e.node}] ${problem}`];
      }),
  );
  const lines = problems.flat();
  if (lines.length > 0) throw new NomadLabError(`${lines.join('\n')}\nnothing was changed on any node`);
}
