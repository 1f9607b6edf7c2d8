import { readFact } from '../facts/fact.ts';
import { userExists } from '../facts/facts.ts';
import { applyChanges } from '../ops/change.ts';
import { planSystemUser } from '../ops/users.ts';
import { script } from '../remote/quote.ts';
import { onEveryNode, recordChange, remoteOf, type UpContext } from './context.ts';

/** Paths whose binaries changed this run, per node: their services restart. */
export type ChangedBinaries = Map<string, Set<'consul' | 'nomad'>>;

const DIRS = [
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
    await applyChanges(remote, users);
    for (const change of users) recordChange(ctx, node.name, change.description);

    // Folders: created or corrected only where mode or owner differ (the script prints what it fixed).
    const fixed = await remote.run(
      script(
        'while [ $# -gt 0 ]; do p=$1 o=$2 m=$3; shift 3; ' +
          '[ "$(stat -c "%a %U" "$p" 2>/dev/null)" = "$m $o" ] || { install -d -m "$m" -o "$o" -g "$o" "$p" && echo "$p"; }; done',
        DIRS.flatMap((d) => [d.path, d.owner, d.mode]),
        `create ${DIRS.map((d) => d.path).join(', ')}`,
      ),
      { sudo: true },
    );
    for (const path of fixed.stdout.split('\n').filter(Boolean)) recordChange(ctx, node.name, `made ${path}`);

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
