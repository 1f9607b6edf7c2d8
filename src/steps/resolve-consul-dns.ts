import type { NodeSpec } from '../config/schema.ts';
import { fileContent, unitState } from '../facts/facts.ts';
import { runChange, type Change } from '../ops/change.ts';
import { fileStates, planFiles, wantedText, writtenPaths } from '../ops/files.ts';
import { planService } from '../ops/service.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import { onEveryNode, remoteOf, type Base } from '../pipeline/state.ts';
import { definePlanner } from '../pipeline/step.ts';
import { waitFor } from '../pipeline/wait.ts';
import { script } from '../remote/quote.ts';

const MARK = '# nomad-lab:';
const RESOLV = '/etc/resolv.conf';
const UPSTREAM = '/etc/nomad-lab/resolv.upstream';
const DNSMASQ = '/etc/dnsmasq.d/10-consul.conf';
/** Where systemd-resolved learns to send `.consul` to the local agent, as HashiCorp's guide for it does. */
export const RESOLVED_CONSUL = '/etc/systemd/resolved.conf.d/nomad-lab-consul.conf';
export const RESOLVED = 'systemd-resolved';

/**
 * The fact every DNS planner reads first: a node whose systemd-resolved runs (Ubuntu's default) keeps it on port 53.
 */
export const resolvedUnit = () => unitState(RESOLVED);

/**
 * A resolv.conf that names dnsmasq resolves nothing while dnsmasq is not running (removed or stopped by hand),
 * and apt could then not reach the archive to install it again: the node's own resolvers are put back until
 * the step below has dnsmasq running. Runs before the packages are installed.
 */
export const resolvWithoutDnsmasq = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: () => ({
    resolv: fileContent(RESOLV),
    upstream: fileContent(UPSTREAM),
    unit: unitState('dnsmasq'),
    resolved: resolvedUnit(),
  }),
  plan(_node: NodeSpec, facts): Change[] {
    if (facts.resolved.active || !(facts.resolv ?? '').startsWith(MARK) || facts.unit.active || !facts.upstream)
      return [];
    return [
      runChange(`pointed ${RESOLV} back at the upstream resolvers`, script(`cat > ${RESOLV}`, [], `write ${RESOLV}`), {
        stdin: facts.upstream,
        reason: 'dnsmasq, which it names, is not running',
      }),
    ];
  },
});

/**
 * dnsmasq forwards `.consul` to the local agent and the rest to the node's original resolvers. resolv.conf is not
 * owned: `down` puts the upstream copy back into it.
 */
export const dnsmasqForwarding = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: () => ({
    resolv: fileContent(RESOLV),
    files: fileStates([UPSTREAM, DNSMASQ], 2),
    unit: unitState('dnsmasq'),
    resolved: resolvedUnit(),
  }),
  plan(node: NodeSpec, facts): Change[] {
    if (facts.resolved.active) return [];
    const resolv = facts.resolv ?? '';
    // Once ours, resolv.conf no longer names the upstream resolvers: the copy kept on the first run does.
    const kept = facts.files.get(UPSTREAM);
    const upstream = resolv.startsWith(MARK) ? (kept?.exists ? (kept.text ?? '') : '') : resolv;
    const options = upstream.split('\n').filter((l) => l.startsWith('options ') || l.startsWith('search '));
    const files = planFiles(
      [
        wantedText({ path: UPSTREAM, content: upstream, mode: 0o644, owner: 'root', group: 'root' }),
        wantedText({
          path: DNSMASQ,
          content: [
            `${MARK} .consul names go to the local Consul agent, the rest upstream.`,
            'server=/consul/127.0.0.1#8600',
            `listen-address=127.0.0.1,${node.address}`,
            'bind-interfaces',
            `resolv-file=${UPSTREAM}`,
            '',
          ].join('\n'),
          mode: 0o644,
          owner: 'root',
          group: 'root',
        }),
      ],
      facts.files,
    );
    const written = [...writtenPaths(files)];
    const wanted = [`${MARK} names via dnsmasq (.consul via Consul)`, 'nameserver 127.0.0.1', ...options, ''].join(
      '\n',
    );
    return [
      ...files,
      ...planService('dnsmasq', facts.unit, {
        unitChanged: false,
        configChanged: written.length > 0,
        because: `${written.join(', ')} changed`,
      }),
      // Written in place, not renamed over: a container's resolv.conf is a bind mount.
      ...(resolv === wanted
        ? []
        : [
            runChange('pointed /etc/resolv.conf at dnsmasq', script(`cat > ${RESOLV}`, [], `write ${RESOLV}`), {
              stdin: wanted,
              reason: 'it does not name dnsmasq',
            }),
          ]),
    ];
  },
  owns: [UPSTREAM, DNSMASQ],
});

/**
 * A node whose systemd-resolved answers on 127.0.0.53 keeps it: resolved forwards `.consul` to the local agent
 * (DNS= and Domains=~consul), and resolv.conf stays as it is. `down` removes the file and restarts resolved.
 */
export const resolvedForwarding = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: () => ({ files: fileStates([RESOLVED_CONSUL], 1), resolved: resolvedUnit() }),
  plan(_node: NodeSpec, facts): Change[] {
    if (!facts.resolved.active) return [];
    const files = planFiles(
      [
        wantedText({
          path: RESOLVED_CONSUL,
          content: [
            `${MARK} .consul names go to the local Consul agent; the rest as before.`,
            '[Resolve]',
            'DNS=127.0.0.1:8600',
            'DNSSEC=false',
            'Domains=~consul',
            '',
          ].join('\n'),
          mode: 0o644,
          owner: 'root',
          group: 'root',
        }),
      ],
      facts.files,
    );
    return [
      ...files,
      ...planService(RESOLVED, facts.resolved, {
        unitChanged: false,
        configChanged: files.length > 0,
        because: `${RESOLVED_CONSUL} changed`,
      }),
    ];
  },
  owns: [RESOLVED_CONSUL],
});

export const resolveConsulDns = remoteStep({
  name: 'resolve .consul names on every node',
  needs: [],
  makes: [],
  planners: [dnsmasqForwarding, resolvedForwarding],
  async after(state) {
    await onEveryNode(state, state.cluster.spec.nodes, async (node) => {
      await waitFor(
        `consul.service.consul to resolve on ${node.name}`,
        async () => {
          // Bounded: glibc waits 5 s for a resolver that does not answer yet (dnsmasq restarting, Consul
          // electing its leader), where the next try a second later would succeed.
          const result = await remoteOf(state, node).exec(['timeout', '2', 'getent', 'hosts', 'consul.service.consul']);
          return result.exitCode === 0 ? [] : [`${node.name}: consul.service.consul does not resolve`];
        },
        { timeoutMs: 60_000 },
      );
    });
  },
});
