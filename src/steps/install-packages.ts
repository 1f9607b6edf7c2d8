import { containerImage, nodePackages } from '../config/machines.ts';
import { labCgroupParent } from '../config/names.ts';
import type { NodeSpec } from '../config/schema.ts';
import { runsTasks } from '../config/topology.ts';
import { NomadLabError } from '../errors.ts';
import { debPackages, unitState, type PackageState, type UnitState } from '../facts/facts.ts';
import { fileStates, planFiles, wantedText, writtenPaths } from '../ops/files.ts';
import { planPackages, type WantedPackage } from '../ops/packages.ts';
import { planService } from '../ops/service.ts';
import { planNode } from '../pipeline/apply.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import { definePlanner } from '../pipeline/step.ts';
import type { Fact } from '../facts/fact.ts';
import type { Change } from '../ops/change.ts';
import { script } from '../remote/quote.ts';
import { resolvedUnit, resolvWithoutDnsmasq } from './resolve-consul-dns.ts';
import { onEveryNode, type Base } from '../pipeline/state.ts';
import { podmanService } from './podman-service.ts';

const DAEMON_JSON = '/etc/docker/daemon.json';

/** The Docker engines a Debian host may carry: Debian's docker.io, or Docker's own docker-ce (beside containerd.io). */
export const DOCKER_ENGINES = ['docker.io', 'docker-ce'] as const;

/**
 * What a node must have installed, given what it has: an engine already there (docker-ce where cluster.yaml
 * names docker.io, or the other way round) is used as it is, never a second one installed beside it.
 */
export function wantedPackages(
  { cluster }: Base,
  node: NodeSpec,
  host?: { installed: ReadonlyMap<string, PackageState>; resolved: UnitState },
): WantedPackage[] {
  const other = DOCKER_ENGINES.find(
    (engine) => engine !== cluster.spec.docker.package && host?.installed.get(engine)?.installed,
  );
  // systemd-resolved keeps port 53 and forwards .consul itself: no dnsmasq beside it.
  const unwanted = [
    ...(other === undefined ? [] : [cluster.spec.docker.package]),
    ...(host?.resolved.active ? ['dnsmasq'] : []),
  ];
  return nodePackages(cluster.spec, node).filter((p) => !unwanted.includes(p.name));
}

/**
 * dnsmasq everywhere (for `.consul` names), Docker where tasks run, podman where a client enables it; a package at
 * another version than pinned is an error.
 */
export const installedPackages = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes,
  facts: (node: NodeSpec, state: Base) => ({
    packages: debPackages([
      ...new Set([...wantedPackages(state, node).map((p) => p.name), ...(runsTasks(node) ? DOCKER_ENGINES : [])]),
    ]),
    resolved: resolvedUnit(),
  }),
  plan(node, facts, state) {
    const { changes, problems } = planPackages(
      wantedPackages(state, node, { installed: facts.packages, resolved: facts.resolved }),
      facts.packages,
    );
    if (problems.length > 0) throw new NomadLabError(`[${node.name}] ${problems.join('; ')}`);
    return changes;
  },
});

/** Whether the Docker engine (dockerd) and its command-line client (docker) are on the node. */
const DOCKER_FILES: Fact<{ engine: boolean; cli: boolean }> = {
  command: script(
    'for f in /usr/sbin/dockerd /usr/bin/dockerd /usr/bin/docker; do [ -x "$f" ] && echo "$f"; done; exit 0',
    [],
    'look for dockerd and docker',
  ),
  parse(result) {
    const found = result.stdout.split('\n');
    return { engine: found.some((f) => f.endsWith('/dockerd')), cli: found.includes('/usr/bin/docker') };
  },
};

/**
 * The `docker` command where the engine came without it: from Debian 13 on, docker.io leaves its client to the
 * docker-cli package, a recommendation apt skips here (--no-install-recommends); Docker's own is docker-ce-cli.
 */
function planDockerCli(
  docker: { engine: boolean; cli: boolean },
  packages: ReadonlyMap<string, PackageState>,
): Change[] {
  if (!docker.engine || docker.cli) return [];
  const name = packages.get('docker-ce')?.installed ? 'docker-ce-cli' : 'docker-cli';
  return planPackages([{ name }], new Map()).changes.map((c) => ({
    ...c,
    reason: 'the engine is installed without its docker command',
  }));
}

/**
 * Docker inside a container node: no overlay on overlay, and its containers' cgroups under a parent of the node's own.
 */
function daemonJson({ cluster }: Base, node: NodeSpec) {
  const cgroupParent = labCgroupParent(cluster.spec.name, node.name, 'docker');
  const content = `${JSON.stringify({ 'storage-driver': 'vfs', 'cgroup-parent': cgroupParent }, null, 2)}\n`;
  return wantedText({ path: DAEMON_JSON, content, mode: 0o644, owner: 'root', group: 'root' });
}

/**
 * Docker running wherever tasks run: an installed engine is not a running one (a host's docker.service may be
 * disabled and stopped, as the preloaded node image ships it), nor always one with its `docker` command. On
 * container nodes, also its daemon.json (not owned: only machines that `down` destroys whole have it).
 */
export const dockerService = definePlanner({
  nodes: ({ cluster }: Base) => cluster.spec.nodes.filter(runsTasks),
  facts: () => ({
    files: fileStates([DAEMON_JSON], 1),
    unit: unitState('docker'),
    docker: DOCKER_FILES,
    packages: debPackages(['docker-ce']),
  }),
  plan(node, facts, state) {
    const files =
      containerImage(state.cluster.spec) === undefined ? [] : planFiles([daemonJson(state, node)], facts.files);
    const written = writtenPaths(files);
    return [
      ...planDockerCli(facts.docker, facts.packages),
      ...files,
      ...planService('docker', facts.unit, {
        unitChanged: false,
        configChanged: written.size > 0,
        because: `${DAEMON_JSON} changed`,
      }),
    ];
  },
});

export const installPackages = remoteStep({
  name: 'install packages (docker, dnsmasq)',
  needs: [],
  makes: [],
  planners: [resolvWithoutDnsmasq, installedPackages, dockerService, podmanService],
  async after(state, [, installed]) {
    // Read again after an install: what apt installed must be what cluster.yaml pins.
    const changed = state.cluster.spec.nodes.filter((n) => (installed?.get(n.name) ?? []).length > 0);
    await onEveryNode(state, changed, async (node) => {
      const left = await planNode(installedPackages, state, node);
      if (left.length > 0)
        throw new NomadLabError(`[${node.name}] ${left.map((c) => c.description).join('; ')} did not take`);
    });
  },
});
