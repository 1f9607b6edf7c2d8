import { containerImage } from '../config/machines.ts';
import { NomadLabError } from '../errors.ts';
import { readFact } from '../facts/fact.ts';
import { debPackages } from '../facts/facts.ts';
import { planPackages, type WantedPackage } from '../ops/packages.ts';
import { labCgroupParent } from '../providers/vagrant/docker-leftovers.ts';
import { onEveryNode, remoteOf, type UpContext } from './context.ts';
import { applyRecorded, writeAndRestart } from './files.ts';

/** Docker where tasks run (Debian's docker.io by default) and dnsmasq everywhere (for `.consul` names). */
export async function installPackages(ctx: UpContext): Promise<void> {
  const { spec } = ctx.cluster;
  await onEveryNode(ctx, spec.nodes, async (node) => {
    const remote = remoteOf(ctx, node);
    const runsTasks = node.role !== 'server';
    const wanted: WantedPackage[] = [
      { name: 'dnsmasq' },
      ...(runsTasks ? [{ name: spec.docker.package, version: spec.versions.docker }] : []),
    ];
    const names = wanted.map((p) => p.name);
    const plan = planPackages(wanted, await readFact(remote, debPackages(names)));
    await applyRecorded(ctx, remote, plan.changes);
    // Read again after an install: what apt installed must be what cluster.yaml pins.
    const after = plan.changes.length === 0 ? plan : planPackages(wanted, await readFact(remote, debPackages(names)));
    const problems = [...after.problems, ...after.changes.map((c) => `${c.description} did not take`)];
    if (problems.length > 0) throw new NomadLabError(`[${node.name}] ${problems.join('; ')}`);

    if (runsTasks && containerImage(spec) !== undefined) {
      // Docker inside a container node: no overlay on overlay, and its containers' cgroups
      // under a parent of this node's own (all nodes share the host's cgroup tree).
      const daemonJson = `${JSON.stringify({ 'storage-driver': 'vfs', 'cgroup-parent': labCgroupParent(spec.name, node.name, 'docker') }, null, 2)}\n`;
      await writeAndRestart(ctx, remote, 'docker', [{ path: '/etc/docker/daemon.json', content: daemonJson, mode: 0o644, owner: 'root', group: 'root' }]);
    }
  });
}
