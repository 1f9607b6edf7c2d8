import { readFacts } from '../facts/batch.ts';
import { NomadApi } from '../nomad/api.ts';
import { nodeAgent } from '../node-agents.ts';
import { tail } from '../errors.ts';
import type { ApiChange, Change } from '../ops/change.ts';
import { GaveUp, waitFor } from './wait.ts';
import { fileStates, HASH_CACHE_MIN, planFiles, rememberHash, type WantedFile } from '../ops/files.ts';
import type { Remote, UploadSource } from '../remote/remote.ts';
import { stat } from 'node:fs/promises';
import type { LabSecurity } from '../state/security.ts';
import { onEveryNode, recordChange, remoteOf, type Base, type Products } from './state.ts';
import type { NodePlanner } from './step.ts';

/** The one applier: every kind of change, in order, on one node; each recorded once done. */
export async function applyChanges(
  state: Pick<Base, 'changes' | 'step'> & { security?: LabSecurity },
  remote: Remote,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    switch (change.kind) {
      case 'run':
        await remote.run(change.command, {
          sudo: change.sudo,
          ...(change.stdin === undefined ? {} : { stdin: change.stdin }),
        });
        break;
      case 'put':
        await remote.put(change.source, change.path, {
          mode: change.mode,
          ...(change.owner === undefined ? {} : { owner: change.owner }),
          ...(change.group === undefined ? {} : { group: change.group }),
        });
        if ((await sourceSize(change.source)) >= HASH_CACHE_MIN)
          await remote.run(rememberHash(change.path, change.sha256), { sudo: true });
        break;
      case 'job':
        await new NomadApi(remote, state.security).post('/v1/jobs', { Job: change.job });
        break;
      case 'api':
        await applyApiChange(remote, change, state.security);
        break;
    }
    recordChange(state, remote.node, { ...change, repair: change.kind === 'run' ? change.repair : undefined });
  }
}

/** Facts, then the plan, for one node (read-only): what `plan` shows and what `converge` applies. */
export async function planNode<N extends keyof Products, F>(
  planner: NodePlanner<N, F>,
  state: Base & Pick<Products, N> & Pick<Products, 'remotes'>,
  node: Parameters<NodePlanner<N, F>['plan']>[0],
): Promise<Change[]> {
  const facts = await readFacts(remoteOf(state, node), planner.facts(node, state));
  return planner.plan(node, facts, state);
}

/**
 * Facts -> plan on every node the planner names, concurrently, and apply unless `apply` is false (`nomad-lab plan`);
 * returns each node's changes.
 */
export async function converge<N extends keyof Products, F>(
  planner: NodePlanner<N, F>,
  state: Base & Pick<Products, N> & Pick<Products, 'remotes'>,
  options: { apply?: boolean } = {},
): Promise<Map<string, Change[]>> {
  const planned = new Map<string, Change[]>();
  await onEveryNode(state, planner.nodes(state), async (node) => {
    const changes = await planNode(planner, state, node);
    planned.set(node.name, changes);
    if (options.apply !== false) await applyChanges(state, remoteOf(state, node), changes);
  });
  return planned;
}

/** One file, facts -> plan -> apply: written only when its content, mode or owner differ. Returns what was done. */
export async function ensureFile(remote: Remote, file: WantedFile): Promise<Change[]> {
  const { files } = await readFacts(remote, { files: fileStates([file.path]) });
  const changes = planFiles([file], files);
  await applyChanges({ changes: [] }, remote, changes);
  return changes;
}

/** Sends the request, again while the agent answers otherwise than 200 and `retryMs` lasts; refused: a GaveUp. */
async function applyApiChange(remote: Remote, change: ApiChange, security: LabSecurity = {}): Promise<void> {
  const api = nodeAgent(remote, change.product, security);
  const request = `${change.method} ${change.path}`;
  await waitFor(
    `the ${api.endpoint.name} to accept ${request} (${change.description})`,
    async () => {
      const answer = await api.request(change.method, change.path, change.body);
      if (answer.status === 200) return [];
      if (change.refused?.match.test(answer.text)) throw new GaveUp(`[${remote.node}] ${change.refused.message}`);
      const said =
        `[${remote.node}] the ${api.endpoint.name} answered ${request} ` +
        `with HTTP ${answer.status}: ${tail(answer.text, 3)}`;
      if (!change.retryMs) throw new GaveUp(said);
      return [said];
    },
    { timeoutMs: change.retryMs ?? 0, intervalMs: 2000 },
  );
}

async function sourceSize(source: UploadSource): Promise<number> {
  if (typeof source === 'string') return Buffer.byteLength(source);
  if (Buffer.isBuffer(source)) return source.length;
  return (await stat(source.localPath)).size;
}
