import { readFact } from '../facts/fact.ts';
import { fileContent } from '../facts/facts.ts';
import { renderNodeConfig } from '../render/node-config.ts';
import { script } from '../remote/quote.ts';
import { onEveryNode, recordChange, remoteOf, type UpContext } from './context.ts';
import { writeAndRestart } from './files.ts';
import { membersNotAlive, parseConsulMembers } from './health.ts';
import type { ChangedBinaries } from './install-hashicorp.ts';
import { failIfUnitFailed } from './unit-failure.ts';
import { waitFor } from './wait.ts';

const MARK = '# nomad-lab:';

/** consul.hcl and its unit on every node, started or restarted only when needed; then every member alive. */
export async function configureConsul(ctx: UpContext, binaries: ChangedBinaries, onWaiting?: (line: string) => void): Promise<void> {
  const { spec } = ctx.cluster;
  await onEveryNode(ctx, spec.nodes, async (node) => {
    const remote = remoteOf(ctx, node);
    const files = renderNodeConfig({ spec, node, gossipKey: ctx.gossipKey, networkInterface: '' }).filter((f) => f.service === 'consul');
    await writeAndRestart(ctx, remote, 'consul', files, binaries.get(node.name)?.has('consul') === true);
  });

  const first = spec.nodes.find((n) => n.role !== 'client')!;
  const servers = spec.nodes.filter((n) => n.role !== 'client').map((n) => n.address);
  const joined = new Map<string, number>();
  const started = Date.now();
  await waitFor(
    'every Consul member to be alive',
    async () => {
      await Promise.all(spec.nodes.map((node) => failIfUnitFailed(remoteOf(ctx, node), 'consul')));
      const result = await remoteOf(ctx, first).exec(['consul', 'members']);
      if (result.exitCode !== 0) return [`consul members: ${result.stderr.trim()}`];
      const members = parseConsulMembers(result.stdout);
      const missing = membersNotAlive(members, spec.nodes.map((n) => n.name));
      // An agent that joined a server just before that server restarted can be left in a cluster of its own:
      // retry_join is done, so it is asked to join again (every 5 s while it is missing).
      await Promise.all(
        spec.nodes
          .filter((n) => !members.some((m) => m.name === n.name && m.status === 'alive') && Date.now() - (joined.get(n.name) ?? started) > 5000)
          .map(async (node) => {
            joined.set(node.name, Date.now());
            await remoteOf(ctx, node).exec(['consul', 'join', ...servers]);
          }),
      );
      return missing;
    },
    { timeoutMs: 120_000, onWaiting: (left) => onWaiting?.(`waiting for ${left.join(', ')}`) },
  );
}

/** dnsmasq forwards `.consul` to the local agent and the rest to the node's original resolvers. */
export async function forwardConsulDns(ctx: UpContext): Promise<void> {
  const { spec } = ctx.cluster;
  await onEveryNode(ctx, spec.nodes, async (node) => {
    const remote = remoteOf(ctx, node);
    const resolv = (await readFact(remote, fileContent('/etc/resolv.conf'))) ?? '';
    const ours = resolv.startsWith(MARK);
    const upstream = ours ? await readFact(remote, fileContent('/etc/nomad-lab/resolv.upstream')) : resolv;
    const options = (upstream ?? '').split('\n').filter((l) => l.startsWith('options ') || l.startsWith('search '));
    await writeAndRestart(ctx, remote, 'dnsmasq', [
      { path: '/etc/nomad-lab/resolv.upstream', content: upstream ?? '', mode: 0o644, owner: 'root', group: 'root' },
      {
        path: '/etc/dnsmasq.d/10-consul.conf',
        content: [`${MARK} .consul names go to the local Consul agent, the rest upstream.`, 'server=/consul/127.0.0.1#8600', `listen-address=127.0.0.1,${node.address}`, 'bind-interfaces', 'resolv-file=/etc/nomad-lab/resolv.upstream', ''].join('\n'),
        mode: 0o644,
        owner: 'root',
        group: 'root',
      },
    ]);
    const wanted = [`${MARK} names via dnsmasq (.consul via Consul)`, 'nameserver 127.0.0.1', ...options, ''].join('\n');
    if (resolv !== wanted) {
      // Written in place, not renamed over: a container's resolv.conf is a bind mount.
      await remote.run(script('cat > /etc/resolv.conf', [], 'write /etc/resolv.conf'), { sudo: true, stdin: wanted });
      recordChange(ctx, node.name, 'pointed /etc/resolv.conf at dnsmasq');
    }
  });

  await onEveryNode(ctx, spec.nodes, async (node) => {
    await waitFor(
      `consul.service.consul to resolve on ${node.name}`,
      async () => {
        const result = await remoteOf(ctx, node).exec(['getent', 'hosts', 'consul.service.consul']);
        return result.exitCode === 0 ? [] : [`${node.name}: consul.service.consul does not resolve`];
      },
      { timeoutMs: 60_000 },
    );
  });
}
