import { readFact } from '../facts/fact.ts';
import { unitState } from '../facts/facts.ts';
import { applyChanges, type Change } from '../ops/change.ts';
import { planService } from '../ops/service.ts';
import type { NodeFile } from '../render/node-config.ts';
import type { Remote } from '../remote/remote.ts';
import { recordChange, type UpContext } from './context.ts';

/** Applies changes on a node and records each for the report. */
export async function applyRecorded(ctx: UpContext, remote: Remote, changes: readonly Change[]): Promise<void> {
  await applyChanges(remote, changes);
  for (const change of changes) recordChange(ctx, remote.node, change.description);
}

/**
 * Writes a service's files, then enables, starts or restarts its unit only as needed:
 * restarted when a file (or, with `binaryChanged`, its binary) was written this run.
 */
export async function writeAndRestart(ctx: UpContext, remote: Remote, unit: string, files: readonly Pick<NodeFile, 'path' | 'content' | 'mode' | 'owner' | 'group'>[], binaryChanged = false): Promise<void> {
  const written = await writeFiles(ctx, remote, files);
  const changes = planService(unit, await readFact(remote, unitState(unit)), {
    unitChanged: written.has(`/etc/systemd/system/${unit}.service`),
    configChanged: written.size > 0 || binaryChanged,
  });
  await applyRecorded(ctx, remote, changes);
}

/** Uploads files that differ; returns the paths written. */
export async function writeFiles(ctx: UpContext, remote: Remote, files: readonly Pick<NodeFile, 'path' | 'content' | 'mode' | 'owner' | 'group'>[]): Promise<Set<string>> {
  const written = new Set<string>();
  for (const file of files) {
    const result = await remote.upload(file.content, file.path, { mode: file.mode, owner: file.owner, group: file.group });
    if (result.changed) {
      written.add(file.path);
      recordChange(ctx, remote.node, `wrote ${file.path} (${result.reason})`);
    }
  }
  return written;
}
