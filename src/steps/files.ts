import type { NodeFile } from '../render/node-config.ts';
import type { Remote } from '../remote/remote.ts';
import { recordChange, type UpContext } from './context.ts';

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
