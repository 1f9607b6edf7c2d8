import { readFact } from '../facts/fact.ts';
import { userExists } from '../facts/facts.ts';
import { ensureDirs, type WantedDir } from '../ops/dirs.ts';
import { planSystemUser } from '../ops/users.ts';
import { onEveryNode, recordChange, remoteOf, type UpContext } from './context.ts';
import { applyRecorded } from './files.ts';

/** Paths whose binaries changed this run, per node: their services restart. */
export type ChangedBinaries = Map<string, Set<'consul' | 'nomad'>>;

const DIRS: WantedDir[] = [
  { path: '/etc/consul.d', owner: 'consul', mode: '750' },
  { path: '/opt/consul', owner: 'consul', mode: '750' },
  { path: '/etc/nomad.d', owner: 'root', mode: '750' },
  { path: '/opt/nomad', owner: 'root', mode: '711' },
  { path: '/etc/nomad-lab', owner: 'root', mode: '755' },
];

/** Consul and Nomad from the host's artifact cache (never downloaded per node), their user and folders. */
export async function installHashicorp(ctx: UpContext): Promise<ChangedBinaries> {
  const changed: ChangedBinaries = new Map();
  await onEveryNode(ctx, ctx.cluster.spec.nodes, async (node) => {
    const remote = remoteOf(ctx, node);
    const users = planSystemUser('consul', await readFact(remote, userExists('consul')), '/etc/consul.d');
    await applyRecorded(ctx, remote, users);

    const fixed = await ensureDirs(remote, DIRS);
    for (const path of fixed) recordChange(ctx, node.name, `made ${path}`);

    const binaries = new Set<'consul' | 'nomad'>();
    for (const product of ['consul', 'nomad'] as const) {
      const artifact = ctx.artifacts[product];
      const result = await remote.upload({ localPath: artifact.path, sha256: artifact.sha256 }, `/usr/local/bin/${product}`, { mode: 0o755, owner: 'root', group: 'root' });
      if (result.changed) {
        binaries.add(product);
        recordChange(ctx, node.name, `installed ${product} ${artifact.version} (${result.reason})`);
      }
    }
    changed.set(node.name, binaries);
  });
  return changed;
}
