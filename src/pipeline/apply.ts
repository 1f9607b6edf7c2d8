import { readFacts } from '../facts/batch.ts';
import { NomadApi } from '../nomad/api.ts';
import type { Change } from '../ops/change.ts';
import { fileStates, HASH_CACHE_MIN, planFiles, rememberHash, type WantedFile } from '../ops/files.ts';
import type { Remote, UploadSource } from '../remote/remote.ts';
import { stat } from 'node:fs/promises';
import type { LabSecurity } from '../state/security.ts';
import { onEveryNode, recordChange, remoteOf, type Base, type Products } from './state.ts';
import type { NodePlanner } from './step.ts';

/** The one applier: every kind of change, in order, on one node; each recorded once done. */
export async function applyChanges(
  state: Pick<Base, 'changes'> & { security?: LabSecurity },
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
    }
    recordChange(state, remote.node, change.description);
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
  await applyChanges({ changes: new Map() }, remote, changes);
  return changes;
}

async function sourceSize(source: UploadSource): Promise<number> {
  if (typeof source === 'string') return Buffer.byteLength(source);
  if (Buffer.isBuffer(source)) return source.length;
  return (await stat(source.localPath)).size;
}
