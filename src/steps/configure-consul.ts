import type { NodeSpec } from '../config/schema.ts';
import { firstServer, servers } from '../config/topology.ts';
import { unitState } from '../facts/facts.ts';
import { membersNotAlive } from '../facts/health.ts';
import { consulAcl, consulManagementToken } from './acl.ts';
import { planFiles, wantedFileStates, wantedText, writtenPaths } from '../ops/files.ts';
import { planService } from '../ops/service.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import { recordChange, remoteOf, type Base, type Products } from '../pipeline/state.ts';
import { definePlanner, type WaitPhase } from '../pipeline/step.ts';
import { failIfUnitFailed } from '../pipeline/unit-failure.ts';
import { waitFor } from '../pipeline/wait.ts';
import { nodeConsulJoin, nodeConsulMembers } from '../node-agents.ts';
import { renderNodeConfig } from '../render/node-config.ts';
import { nodeSecurity } from '../state/security.ts';

type Needs = Base & Pick<Products, 'gossipKey' | 'binaries' | 'security'>;

function consulFiles(state: Needs, node: NodeSpec) {
  return renderNodeConfig({
    spec: state.cluster.spec,
    node,
    gossipKey: state.gossipKey,
    networkInterface: '',
    security: nodeSecurity(state.security, node),
  })
    .filter((f) => f.service === 'consul')
    .map(wantedText);
}

/**
 * consul.hcl, its unit and security.hcl (ACL, TLS) with the node's certificate; the service started, or restarted only
 * when a file or its binary changed.
 */
export const consulConfig = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: (node: NodeSpec, state: Needs) => {
    return { files: wantedFileStates(consulFiles(state, node)), unit: unitState('consul') };
  },
  plan(node, facts, state: Needs) {
    const files = planFiles(consulFiles(state, node), facts.files);
    const written = [...writtenPaths(files)];
    const binary = state.binaries.get(node.name)?.has('consul') === true;
    return [
      ...files,
      ...planService('consul', facts.unit, {
        unitChanged: written.includes('/etc/systemd/system/consul.service'),
        configChanged: written.length > 0 || binary,
        because: `${[...written, ...(binary ? ['/usr/local/bin/consul'] : [])].join(', ')} changed`,
      }),
    ];
  },
  owns: ['/etc/consul.d', '/etc/systemd/system/consul.service'],
});

/**
 * Every member alive. An agent that joined a server just before that server restarted can be left in a cluster of
 * its own (retry_join is done): it is asked to join again every 5 s while it is missing, a repair recorded as a
 * change with its reason (a race `plan` cannot foresee).
 */
const membersAlive: WaitPhase<'security' | 'remotes'> = {
  async wait(state, say) {
    const { spec } = state.cluster;
    const first = remoteOf(state, firstServer(spec));
    const serverAddresses = servers(spec).map((n) => n.address);
    const started = Date.now();
    const joined = new Map<string, number>();
    await waitFor(
      'every Consul member to be alive',
      async () => {
        await Promise.all(spec.nodes.map((node) => failIfUnitFailed(remoteOf(state, node), 'consul')));
        const alive = await nodeConsulMembers(first, state.security);
        const missing = spec.nodes.filter((n) => !alive.some((m) => m.name === n.name && m.status === 'alive'));
        await Promise.all(
          missing
            .filter((n) => Date.now() - (joined.get(n.name) ?? started) > JOIN_AFTER_MS)
            .map(async (node) => {
              joined.set(node.name, Date.now());
              await nodeConsulJoin(remoteOf(state, node), state.security, serverAddresses);
              recordChange(state, node.name, {
                description: `consul join ${serverAddresses.join(' ')}`,
                reason: `not an alive member ${JOIN_AFTER_MS / 1000} s after its agent started`,
                repair: true,
              });
            }),
        );
        return membersNotAlive(
          alive,
          spec.nodes.map((n) => n.name),
        );
      },
      { timeoutMs: 120_000, onWaiting: (left) => say(`waiting for ${left.join(', ')}`) },
    );
  },
};

const JOIN_AFTER_MS = 5000;

/** consul.hcl and its unit on every node; every member alive; the lab's ACL policies and tokens (when asked for). */
export const configureConsul = remoteStep({
  name: 'configure Consul',
  needs: ['gossipKey', 'binaries', 'security'],
  makes: [],
  planners: [consulConfig, membersAlive, consulManagementToken, consulAcl],
});
