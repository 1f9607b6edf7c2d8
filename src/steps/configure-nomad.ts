import type { NodeSpec } from '../config/schema.ts';
import { clients, firstServer } from '../config/topology.ts';
import { enabledDrivers } from '../config/drivers.ts';
import { NomadLabError } from '../errors.ts';
import { interfaceWithAddress, unitState } from '../facts/facts.ts';
import { clientsNotReady, nomadRegistration } from '../facts/health.ts';
import { normalVolumePath, planVolumeDirs, volumeStates } from '../ops/dirs.ts';
import { nomadAcl } from './acl.ts';
import { planFiles, wantedFileStates, wantedText, writtenPaths } from '../ops/files.ts';
import { planService } from '../ops/service.ts';
import { readFacts } from '../facts/batch.ts';
import { runChange } from '../ops/change.ts';
import { applyChanges } from '../pipeline/apply.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import { remoteOf, type Base, type Products } from '../pipeline/state.ts';
import { definePlanner, type StepOutcome, type WaitPhase } from '../pipeline/step.ts';
import { failIfUnitFailed } from '../pipeline/unit-failure.ts';
import { waitFor } from '../pipeline/wait.ts';
import { NomadApi } from '../nomad/api.ts';
import { renderNodeConfig } from '../render/node-config.ts';
import { nomadAgentImage } from '../config/names.ts';
import { script } from '../remote/quote.ts';
import { engineImages } from './load-job-images.ts';
import { nodeSecurity } from '../state/security.ts';

type Needs = Base & Pick<Products, 'gossipKey' | 'binaries' | 'security' | 'artifacts'>;

/** mode container: the image Nomad runs from on every node. */
const agentImage = (state: Pick<Needs, 'cluster' | 'artifacts'>): string | undefined =>
  state.cluster.spec.mode === 'container' ? nomadAgentImage(state.artifacts.nomad.sha256) : undefined;

function nomadFiles(state: Needs, node: NodeSpec, networkInterface: string) {
  const nomadImage = agentImage(state);
  return renderNodeConfig({
    spec: state.cluster.spec,
    node,
    gossipKey: state.gossipKey,
    networkInterface,
    security: nodeSecurity(state.security, node),
    ...(nomadImage === undefined ? {} : { nomadImage }),
  })
    .filter((f) => f.service === 'nomad')
    .map(wantedText);
}

/**
 * Nomad refuses to start a client whose host volume paths do not exist; an existing folder may be someone else's and is
 * left as it is.
 */
const volumePaths = (node: NodeSpec): string[] => node.host_volumes.map((v) => normalVolumePath(v.path));
const VOLUME_DIR = { owner: 'root', mode: '755' };

/**
 * server.hcl / client.hcl, nomad.hcl, security.hcl (ACL, TLS) and the unit; host volume folders; the service
 * (re)started only as needed.
 */
export const nomadConfig = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: (node: NodeSpec, state: Needs) => {
    return {
      iface: interfaceWithAddress(node.address),
      volumes: volumeStates(volumePaths(node)),
      files: wantedFileStates(nomadFiles(state, node, '')),
      unit: unitState('nomad'),
    };
  },
  plan(node, facts, state: Needs) {
    if (!facts.iface)
      throw new NomadLabError(
        `[${node.name}] no interface holds the lab ` +
          `address ${node.address}: is the machine on the lab ` +
          `network ${state.cluster.spec.network.cidr}?`,
      );
    const files = planFiles(nomadFiles(state, node, facts.iface), facts.files);
    const written = [...writtenPaths(files)];
    const binary = state.binaries.get(node.name)?.has('nomad') === true;
    return [
      ...planVolumeDirs(node.name, volumePaths(node), VOLUME_DIR, facts.volumes).changes,
      ...files,
      ...planService('nomad', facts.unit, {
        unitChanged: written.includes('/etc/systemd/system/nomad.service'),
        configChanged: written.length > 0 || binary,
        because: `${[...written, ...(binary ? ['/usr/local/bin/nomad'] : [])].join(', ')} changed`,
      }),
    ];
  },
  // Not the host volume folders it makes: their data is the user's. Nor mode dev's /tmp/nomad-lab-dev: its unit makes
  // it for the agent's temporary folders, and removes it when it stops.
  owns: ['/etc/nomad.d', '/etc/systemd/system/nomad.service'],
});

// The node's own nomad, df (its storage fingerprint runs `df -P`) and the libraries they link (ldd), and the files
// Nomad reads of the system: a root of a few files, whatever the node's distribution. "$1": the tag.
const IMPORT_AGENT = `set -eu
bins="usr/local/bin/nomad $(command -v df | sed 's|^/||')"
libs=$(for b in $bins; do ldd "/$b" 2>/dev/null || true; done | grep -o '/[^ ]*' | sed 's|^/||' | sort -u)
tar -C / -chf - $bins etc/passwd etc/group etc/os-release $libs |
  docker import --change 'ENTRYPOINT ["/usr/local/bin/nomad"]' \\
    --change 'LABEL nomad-lab.recipe=nomad-agent' - "$1" >/dev/null`;

/**
 * mode container: the image the node's Docker runs Nomad from, imported from the node's own binary (no registry, no
 * upload: the binary is there already).
 */
export const nomadAgentImageLoad = definePlanner({
  nodes: ({ cluster }: Base) => (cluster.spec.mode === 'container' ? cluster.spec.nodes : []),
  facts: (_node: NodeSpec, state: Needs) => ({ present: engineImages('docker', [agentImage(state)!]) }),
  plan(_node, facts, state: Needs) {
    const tag = agentImage(state)!;
    if (facts.present.has(tag)) return [];
    return [
      runChange(
        `imported ${tag} into docker (the node's /usr/local/bin/nomad, df and the libraries they link)`,
        script(IMPORT_AGENT, [tag], 'docker import of the Nomad agent image'),
        { reason: `docker has no ${tag}` },
      ),
    ];
  },
});

/** A Nomad leader (the ACL bootstrap and the clients' registration wait for one). */
const nomadLeader: WaitPhase<'security' | 'remotes'> = {
  async wait(state, say) {
    const { spec } = state.cluster;
    const api = new NomadApi(remoteOf(state, firstServer(spec)), state.security);
    await waitFor(
      'a Nomad leader',
      async () => {
        await Promise.all(spec.nodes.map((node) => failIfUnitFailed(remoteOf(state, node), 'nomad')));
        const leader = await api.request('GET', '/v1/status/leader');
        return leader.status === 200 && /:\d+"/.test(leader.text) ? [] : ['no Nomad leader yet'];
      },
      { timeoutMs: 180_000, intervalMs: 500, onWaiting: (left) => say(`waiting: ${left.join(', ')}`) },
    );
  },
};

/**
 * Every client ready with its task drivers healthy. A client whose registration the servers refused waits 15 s or
 * more before it asks again, or never asks: one that asked before the new servers were ready (Nomad 1.11: "keyring
 * has not been initialized yet"), or one the servers no longer know (their state was lost: "Permission denied").
 * Each client still not registered a second after there is a leader is restarted once, and registers at once: a
 * repair recorded as a change with its reason (a race `plan` cannot foresee).
 */
const clientsReady: WaitPhase<'security' | 'remotes'> = {
  async wait(state, say) {
    const { spec } = state.cluster;
    const api = new NomadApi(remoteOf(state, firstServer(spec)), state.security);
    const expected = clients(spec).map((n) => ({ name: n.name, drivers: enabledDrivers(spec, n) }));
    const leaderSince = Date.now();
    const restarted = new Set<string>();
    await waitFor(
      'every Nomad client ready with its task drivers healthy',
      async () => {
        await Promise.all(spec.nodes.map((node) => failIfUnitFailed(remoteOf(state, node), 'nomad')));
        const nodes = await api.request('GET', '/v1/nodes');
        if (nodes.status !== 200) return ['the Nomad API does not answer'];
        const left = clientsNotReady(nodes.text, expected);
        const names = expected.map((c) => c.name);
        const stuck = stuckClients(nodes.text, names, Date.now() - leaderSince).filter((s) => !restarted.has(s.name));
        await Promise.all(
          stuck.map(async ({ name, why }) => {
            restarted.add(name);
            const restart = runChange('restart nomad', ['systemctl', 'restart', 'nomad'], {
              reason: why,
              repair: true,
            });
            await applyChanges(state, remoteOf(state, { name }), [restart]);
          }),
        );
        return left;
      },
      { timeoutMs: 180_000, intervalMs: 500, onWaiting: (left) => say(`waiting: ${left.join(', ')}`) },
    );
  },
};

/** Host volume folders that were there already are the user's: left as they are, and said so. */
async function keptVolumes(state: Base & Pick<Products, 'remotes'>): Promise<StepOutcome | undefined> {
  const kept = (
    await Promise.all(
      state.cluster.spec.nodes.map(async (node) => {
        if (node.host_volumes.length === 0) return [];
        const facts = await readFacts(remoteOf(state, node), { volumes: volumeStates(volumePaths(node)) });
        return planVolumeDirs(node.name, volumePaths(node), VOLUME_DIR, facts.volumes).kept.map(
          (k) => `${node.name}:${k}`,
        );
      }),
    )
  ).flat();
  return kept.length > 0
    ? { summary: `host volume folders that were there already, left as they are: ${kept.join(', ')}` }
    : undefined;
}

/** server.hcl / client.hcl and the unit on every node; a leader; the ACL bootstrap (when asked for); clients ready. */
export const configureNomad = remoteStep({
  name: 'configure Nomad',
  needs: ['gossipKey', 'binaries', 'security', 'artifacts'],
  makes: [],
  planners: [nomadAgentImageLoad, nomadConfig, nomadLeader, nomadAcl, clientsReady],
  after: keptVolumes,
});

/**
 * A client may go unregistered this long after there is a leader before its agent is restarted. One that
 * registers in time is left alone; restarting one that was a moment from registering costs a fraction of a second.
 */
const REGISTER_WITHIN_MS = 1_000;

/** The clients of `names` that the servers do not know (from `/v1/nodes`) after waiting too long to register. */
export function stuckClients(
  nodesJson: string,
  names: readonly string[],
  waitedMs: number,
): Array<{ name: string; why: string }> {
  if (waitedMs <= REGISTER_WITHIN_MS) return [];
  const nodes = JSON.parse(nodesJson) as { Name: string; Status: string }[];
  return names
    .filter((name) => !nomadRegistration(nodes, name))
    .map((name) => ({ name, why: `not registered ${REGISTER_WITHIN_MS / 1000} s after the servers elected a leader` }));
}
