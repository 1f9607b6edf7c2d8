import { NomadLabError } from '../errors.ts';
import { readFact } from '../facts/fact.ts';
import { interfaceWithAddress } from '../facts/facts.ts';
import { ensureVolumeDirs } from '../ops/dirs.ts';
import { renderNodeConfig } from '../render/node-config.ts';
import { onEveryNode, recordChange, remoteOf, type UpContext } from './context.ts';
import { writeAndRestart } from './files.ts';
import { clientsNotReady } from './health.ts';
import type { ChangedBinaries } from './install-hashicorp.ts';
import { failIfUnitFailed } from './unit-failure.ts';
import { waitFor } from './wait.ts';

const NOMAD_API = 'http://127.0.0.1:4646';

/**
 * server.hcl / client.hcl and the unit on every node; then a leader and every client ready with docker healthy.
 * Returns a note on host volume folders that were there already and were left as they are.
 */
export async function configureNomad(ctx: UpContext, binaries: ChangedBinaries, onWaiting?: (line: string) => void): Promise<string | undefined> {
  const { spec } = ctx.cluster;
  const kept: string[] = [];
  await onEveryNode(ctx, spec.nodes, async (node) => {
    const remote = remoteOf(ctx, node);
    const networkInterface = await readFact(remote, interfaceWithAddress(node.address));
    if (!networkInterface) throw new NomadLabError(`[${node.name}] no interface holds the lab address ${node.address}: is the machine on the lab network ${spec.network.cidr}?`);
    // Nomad refuses to start a client whose host volume paths do not exist.
    const volumes = await ensureVolumeDirs(remote, node.host_volumes.map((v) => v.path), { owner: 'root', mode: '755' });
    for (const path of volumes.made) recordChange(ctx, node.name, `made host volume folder ${path}`);
    for (const folder of volumes.kept) kept.push(`${node.name}:${folder}`);
    const files = renderNodeConfig({ spec, node, gossipKey: ctx.gossipKey, networkInterface }).filter((f) => f.service === 'nomad');
    await writeAndRestart(ctx, remote, 'nomad', files, binaries.get(node.name)?.has('nomad') === true);
  });

  const server = remoteOf(ctx, spec.nodes.find((n) => n.role !== 'client')!);
  const clients = spec.nodes.filter((n) => n.role !== 'server').map((n) => n.name);
  const started = Date.now();
  const restarted = new Set<string>();
  await waitFor(
    'a Nomad leader and every client ready with the docker driver healthy',
    async () => {
      await Promise.all(spec.nodes.map((node) => failIfUnitFailed(remoteOf(ctx, node), 'nomad')));
      const leader = await server.exec(['curl', '-sf', `${NOMAD_API}/v1/status/leader`]);
      if (leader.exitCode !== 0 || !/:\d+"/.test(leader.stdout)) return ['no Nomad leader yet'];
      const nodes = await server.exec(['curl', '-sf', `${NOMAD_API}/v1/nodes`]);
      if (nodes.exitCode !== 0) return ['the Nomad API does not answer'];
      const left = clientsNotReady(nodes.stdout, clients);
      // A client the servers no longer know (their state was lost) is refused ("Permission denied") and only
      // registers again when it restarts: after 10 s of waiting, each such client is restarted once.
      const unknown = clients.filter((name) => left.includes(`${name} not registered`) && !restarted.has(name));
      if (Date.now() - started > 10_000 && unknown.length > 0) {
        await Promise.all(unknown.map(async (name) => {
          restarted.add(name);
          await remoteOf(ctx, spec.nodes.find((n) => n.name === name)!).run(['systemctl', 'restart', 'nomad'], { sudo: true });
          recordChange(ctx, name, 'restart nomad (the servers did not know this client)');
        }));
      }
      return left;
    },
    { timeoutMs: 180_000, onWaiting: (left) => onWaiting?.(`waiting: ${left.join(', ')}`) },
  );
  return kept.length > 0 ? `host volume folders that were there already, left as they are: ${kept.join(', ')}` : undefined;
}
