import { preloadedPackages } from '../../config/machines.ts';
import { access, mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../config/load.ts';
import { ProviderError } from '../../errors.ts';
import { cacheDir, labKeyFile, labStateDir, vagrantDir } from '../../host/dirs.ts';
import { nodeContainerName } from '../../config/names.ts';
import { confirmedEndpoints, rememberEndpoints } from './endpoint-cache.ts';
import { authorizeLabKey, inspectNodeContainers } from './node-containers.ts';
import { ensureLabSshKey } from '../../state/lab-ssh-key.ts';
import { imageExists } from '../../images/docker.ts';
import { nodeImageTag } from '../../images/node-image.ts';
import type { BootOptions, MachineStatus, NodeEndpoint, Provider } from '../provider.ts';
import {
  innerContainerIds,
  labContainers,
  removeContainers,
  removeLabCgroups,
  removeLabNetwork,
} from './docker-leftovers.ts';
import { LAB_LABEL } from '../../render/docker-node-flags.ts';
import { refuseOverlappingNetwork } from './network-overlap.ts';
import { parseSshConfig } from './parse-ssh-config.ts';
import { machineState, parseStatus } from './parse-status.ts';
import { renderVagrantfile, type VagrantBackend } from '../../render/vagrantfile.ts';
import { machineInOutput, vagrant, vagrantFailure } from './vagrant-command.ts';
import { writeVagrantfile } from './write-vagrantfile.ts';

/** Backends whose Vagrant plugin registers `parallel: true`; VirtualBox boots one machine at a time. */
const PARALLEL: Record<VagrantBackend, boolean> = { docker: true, libvirt: true, virtualbox: false };

const quiet = () => {};

/** Machines booted by Vagrant from a Vagrantfile rendered into `vagrant/<lab>/` beside the cluster file. */
export class VagrantProvider implements Provider {
  readonly name = 'vagrant';

  async up(cluster: Cluster, options: BootOptions = {}): Promise<NodeEndpoint[]> {
    const say = options.onProgress ?? quiet;
    const backend = backendOf(cluster);
    const dir = vagrantDir(cluster);
    const nodeImage = backend === 'docker' ? await requireNodeImage(cluster) : undefined;
    const labKey =
      backend === 'docker' ? await ensureLabSshKey(labKeyFile(cluster), `nomad-lab ${cluster.spec.name}`) : undefined;
    // The machines see the cache from their creation on: it must be there (a bind mount of a missing folder fails).
    const hostCache = backend === 'docker' ? cacheDir() : undefined;
    if (hostCache) await mkdir(hostCache, { recursive: true });
    const rendered = renderVagrantfile(cluster, { nodeImage, ...(hostCache ? { hostCache } : {}) });
    if ((await readFile(join(dir, 'Vagrantfile'), 'utf8').catch(() => undefined)) === rendered) {
      const known = await this.cached(cluster, rendered);
      if (known) {
        say(`all ${known.length} machines still running as last seen (docker inspect): nothing booted`);
        return known;
      }
    }
    // Read before the Vagrantfile changes (free when there is none yet): machines created now have new host keys.
    // Vagrant's own view: the kept endpoints were tried above.
    if (backend === 'docker') await refuseOverlappingNetwork(cluster.spec.network.cidr);
    const before = await this.vagrantStatus(cluster);
    const changed = await writeVagrantfile(dir, rendered);
    say(`${join(dir, 'Vagrantfile')}: ${changed ? 'written' : 'unchanged'}`);
    if (!changed && before.every((s) => s.state === 'running')) {
      // `vagrant up` on running machines still costs seconds; the status we need anyway says whether to skip it.
      say(`all ${before.length} machines already running: nothing booted`);
      return this.endpointsOf(cluster, before);
    }
    if (labKey) await authorizeInOlderMachines(cluster, labKey, say);
    const args = ['up', `--provider=${backend}`, ...(PARALLEL[backend] ? ['--parallel'] : [])];
    let output = '';
    try {
      await vagrant(args, {
        cwd: dir,
        backend,
        onLine: (line) => {
          output += `${line}\n`;
          say(line);
        },
      });
    } catch (cause) {
      const notRunning = await this.vagrantStatus(cluster).then(
        (all) => all.filter((s) => s.state !== 'running').map((s) => s.node),
        () => [],
      );
      const named = machineInOutput(
        output,
        cluster.spec.nodes.map((n) => n.name),
      );
      throw vagrantFailure('up', notRunning.length > 0 ? notRunning : named ? [named] : [], cause);
    }
    const created = new Set(before.filter((s) => s.state === 'not_created').map((s) => s.node));
    return (await this.endpoints(cluster)).map((e) => (created.has(e.node) ? { ...e, created: true } : e));
  }

  async endpoints(cluster: Cluster): Promise<NodeEndpoint[]> {
    const vagrantfile = await readFile(join(vagrantDir(cluster), 'Vagrantfile'), 'utf8').catch(() => undefined);
    if (vagrantfile !== undefined) {
      const known = await this.cached(cluster, vagrantfile);
      if (known) return known;
      if (backendOf(cluster) === 'docker') return containerEndpoints(cluster);
    }
    return this.endpointsOf(cluster, await this.vagrantStatus(cluster));
  }

  /** The endpoints the last `up` found, when nothing moved since (docker backend: one `docker inspect`). */
  private async cached(cluster: Cluster, vagrantfile: string): Promise<NodeEndpoint[] | undefined> {
    if (backendOf(cluster) !== 'docker') return undefined;
    return confirmedEndpoints(
      labStateDir(cluster),
      vagrantfile,
      cluster.spec.nodes.map((n) => n.name),
    );
  }

  async status(cluster: Cluster): Promise<MachineStatus[]> {
    const vagrantfile = await readFile(join(vagrantDir(cluster), 'Vagrantfile'), 'utf8').catch(() => undefined);
    // Every machine still running as the last `up` left it (one `docker inspect`): Vagrant need not be asked.
    if (vagrantfile !== undefined && (await this.cached(cluster, vagrantfile))) {
      return cluster.spec.nodes.map((n) => ({ node: n.name, state: 'running', detail: 'running' }));
    }
    return this.vagrantStatus(cluster);
  }

  /** `vagrant status`: what Vagrant knows of each machine. */
  private async vagrantStatus(cluster: Cluster): Promise<MachineStatus[]> {
    const dir = vagrantDir(cluster);
    const nodes = cluster.spec.nodes.map((n) => n.name);
    if (!(await exists(join(dir, 'Vagrantfile')))) {
      return nodes.map((node) => ({ node, state: 'not_created', detail: 'no Vagrantfile yet' }));
    }
    let output: string;
    try {
      output = await vagrant(['status', '--machine-readable'], { cwd: dir, backend: backendOf(cluster) });
    } catch (cause) {
      throw vagrantFailure('status', [], cause);
    }
    const machines = new Map(parseStatus(output).map((m) => [m.name, m]));
    return nodes.map((node) => {
      const machine = machines.get(node);
      if (!machine) return { node, state: 'not_created', detail: 'not in the Vagrantfile yet' };
      return { node, state: machineState(machine.state), detail: machine.state };
    });
  }

  async down(cluster: Cluster, options: BootOptions = {}): Promise<void> {
    const say = options.onProgress ?? quiet;
    const backend = backendOf(cluster);
    const dir = vagrantDir(cluster);
    const lab = cluster.spec.name;
    const nodes = cluster.spec.nodes.map((n) => n.name);
    // Read while the nodes still run: the containers inside them leave cgroups behind (lab-host-notes §3).
    const containerIds = backend === 'docker' ? await collectContainerIds(lab, nodes) : [];

    if (await exists(join(dir, 'Vagrantfile'))) {
      let output = '';
      try {
        await vagrant(['destroy', '-f', ...(PARALLEL[backend] ? ['--parallel'] : [])], {
          cwd: dir,
          backend,
          onLine: (line) => {
            output += `${line}\n`;
            say(line);
          },
        });
      } catch (cause) {
        const named = machineInOutput(output, nodes);
        throw vagrantFailure('destroy', named ? [named] : [], cause);
      }
      await rm(join(dir, '.vagrant'), { recursive: true, force: true });
      await rm(join(dir, 'Vagrantfile'), { force: true });
      // Only when empty: a file a person put there stays.
      await rmdir(dir).catch(() => {});
      say(`${dir}: removed`);
    } else {
      say(`${join(dir, 'Vagrantfile')}: none, so no Vagrant machines to destroy`);
    }
    if (backend === 'docker') await removeDockerLeftovers(cluster, containerIds, say);
  }

  private async endpointsOf(cluster: Cluster, statuses: readonly MachineStatus[]): Promise<NodeEndpoint[]> {
    const down = statuses.filter((s) => s.state !== 'running');
    if (down.length > 0) {
      const list = down.map((s) => `${s.node} (${s.detail})`).join(', ');
      throw new ProviderError(`not running: ${list}; run \`nomad-lab up\``);
    }
    if (backendOf(cluster) === 'docker') return containerEndpoints(cluster);
    const dir = vagrantDir(cluster);
    let output: string;
    try {
      output = await vagrant(['ssh-config'], { cwd: dir, backend: backendOf(cluster) });
    } catch (cause) {
      throw vagrantFailure('ssh-config', [], cause);
    }
    const hosts = new Map(parseSshConfig(output).map((h) => [h.name, h]));
    const endpoints = cluster.spec.nodes.map((node): NodeEndpoint => {
      const host = hosts.get(node.name);
      if (!host) throw new ProviderError(`${node.name}: \`vagrant ssh-config\` in ${dir} says nothing about it`);
      return {
        node: node.name,
        host: host.hostName,
        port: host.port,
        user: host.user || 'vagrant',
        ...(host.identityFiles[0] === undefined ? {} : { privateKeyPath: host.identityFiles[0] }),
        labAddress: node.address,
      };
    });
    return endpoints;
  }
}

/**
 * The docker backend's endpoints, read from the containers themselves (one `docker inspect`): sshd's port as
 * published on the host, and the lab's own key. Vagrant's `status` and `ssh-config` would take seconds each.
 */
async function containerEndpoints(cluster: Cluster): Promise<NodeEndpoint[]> {
  const lab = cluster.spec.name;
  const containers = await inspectNodeContainers(cluster.spec.nodes.map((n) => nodeContainerName(lab, n.name)));
  const found: { endpoint: NodeEndpoint; container: string; id: string }[] = [];
  const down: string[] = [];
  for (const node of cluster.spec.nodes) {
    const name = nodeContainerName(lab, node.name);
    const container = containers.get(name);
    if (!container?.running || !container.ssh) {
      down.push(`${node.name} (${!container ? 'no container' : container.running ? 'sshd not published' : 'stopped'})`);
      continue;
    }
    const endpoint: NodeEndpoint = {
      node: node.name,
      host: container.ssh.host,
      port: container.ssh.port,
      user: 'vagrant',
      privateKeyPath: labKeyFile(cluster),
      labAddress: node.address,
      ...(container.hostShare ? { hostShare: container.hostShare } : {}),
    };
    found.push({ endpoint, container: name, id: container.id });
  }
  if (down.length > 0) throw new ProviderError(`not running: ${down.join(', ')}; run \`nomad-lab up\``);
  await rememberEndpoints(
    labStateDir(cluster),
    await readFile(join(vagrantDir(cluster), 'Vagrantfile'), 'utf8'),
    found,
  );
  return found.map((f) => f.endpoint);
}

/** Machines made before the Vagrantfile mounted the lab's key still authorize only Vagrant's own: add the lab's. */
async function authorizeInOlderMachines(
  cluster: Cluster,
  publicKey: string,
  say: (line: string) => void,
): Promise<void> {
  const lab = cluster.spec.name;
  const containers = await inspectNodeContainers(cluster.spec.nodes.map((n) => nodeContainerName(lab, n.name)));
  for (const [name, container] of containers) {
    if (!container.running || container.labKeyMounted) continue;
    await authorizeLabKey(name, publicKey);
    say(`${name}: made before machines authorized the lab's key from their first boot: key added`);
  }
}

function backendOf(cluster: Cluster): VagrantBackend {
  const { provider } = cluster.spec;
  if (provider.type !== 'vagrant')
    throw new ProviderError(`the vagrant provider cannot run a lab of provider type "${provider.type}"`);
  return provider.backend;
}

async function requireNodeImage(cluster: Cluster): Promise<string> {
  const { provider } = cluster.spec;
  const tag = await nodeImageTag(provider.type === 'vagrant' ? provider.image : '', preloadedPackages(cluster.spec));
  if (!(await imageExists(tag))) {
    throw new ProviderError(`node image ${tag} not found in the local Docker: run \`nomad-lab image build\` first`);
  }
  return tag;
}

async function collectContainerIds(lab: string, nodes: readonly string[]): Promise<string[]> {
  const containers = (await labContainers(lab, nodes)).ours;
  const inner = await Promise.all([...containers.keys()].map((name) => innerContainerIds(name)));
  return [...containers.values(), ...inner.flat()];
}

async function removeDockerLeftovers(
  cluster: Cluster,
  containerIds: readonly string[],
  say: (line: string) => void,
): Promise<void> {
  const lab = cluster.spec.name;
  const { ours: left, strangers } = await labContainers(
    lab,
    cluster.spec.nodes.map((n) => n.name),
  );
  if (left.size > 0) {
    // Containers of a lab whose Vagrant folder is gone: ours by the names and the label the Vagrantfile gave them.
    say(`removing containers Vagrant no longer knows: ${[...left.keys()].join(', ')}`);
    await removeContainers([...left.keys()]);
  }
  if (strangers.length > 0) {
    say(
      `left alone: ${strangers.join(', ')}, named like this lab's nodes but without the ` +
        `label ${LAB_LABEL}=${lab} (remove by hand with ` +
        `docker rm -f if it is a node of a lab made before nomad-lab labelled them)`,
    );
  }
  for (const network of await removeLabNetwork(cluster.spec.network.cidr)) say(`docker network ${network}: removed`);
  const cgroups = await removeLabCgroups(lab, [...containerIds, ...left.values()]);
  if (cgroups > 0) say(`${cgroups} empty cgroup folders the nodes left: removed`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
