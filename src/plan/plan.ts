import type { Cluster } from '../config/load.ts';
import type { ClusterSpec, NodeSpec, ServiceSpec } from '../config/schema.ts';
import { clients, isServer, runsTasks, servers } from '../config/topology.ts';
import { plural } from '../verify/describe.ts';
import { lookupExpectation } from '../verify/lookup-evaluate.ts';

export interface PlannedAction {
  /** The pipeline step that does it: boot, install, consul, nomad, deploy, verify. */
  step: string;
  summary: string;
}

export interface PlannedNode {
  name: string;
  role: NodeSpec['role'];
  address: string;
  actions: PlannedAction[];
}

export interface Plan {
  nodes: PlannedNode[];
  /** What happens once for the whole cluster. */
  cluster: PlannedAction[];
}

/** What `up` would do, node by node, from the cluster file alone (nothing is contacted). */
export function planCluster({ spec }: Pick<Cluster, 'spec'>): Plan {
  const serverNodes = servers(spec);
  const serverAddresses = serverNodes.map((n) => n.address).join(', ');
  const serverRole = `server (bootstrap_expect ${serverNodes.length})`;
  const clientNodes = clients(spec);

  const nodes = spec.nodes.map((node): PlannedNode => {
    const tasks = runsTasks(node);
    const server = isServer(node);
    const actions: PlannedAction[] = [
      { step: 'boot', summary: bootSummary(spec, node) },
      {
        step: 'install',
        summary: [
          tasks ? `${spec.docker.package} ${spec.versions.docker ?? "(the host's Debian release's)"}` : undefined,
          `consul ${spec.versions.consul}`,
          `nomad ${spec.versions.nomad}`,
        ]
          .filter(Boolean)
          .join(', '),
      },
      {
        step: 'consul',
        summary: `${server ? serverRole : 'client'}, bind ${node.address}, retry_join ${serverAddresses}`,
      },
      {
        step: 'nomad',
        summary: [
          server ? serverRole : undefined,
          tasks ? `client of ${serverAddresses}, docker driver` : undefined,
          node.host_volumes.length > 0
            ? `host volumes ${node.host_volumes.map(hostVolumeSummary).join(', ')}`
            : undefined,
        ]
          .filter(Boolean)
          .join('; '),
      },
    ];
    const images = tasks ? spec.jobs.flatMap((j) => j.images.map((i) => i.recipe ?? i.tarball)) : [];
    if (images.length > 0)
      actions.push({ step: 'deploy', summary: `preload images ${[...new Set(images)].join(', ')}` });
    return { name: node.name, role: node.role, address: node.address, actions };
  });

  const cluster: PlannedAction[] = [
    ...spec.jobs.map((job) => ({
      step: 'deploy',
      summary: `job ${job.name} from ${job.file} on ${plural(clientNodes.length, 'client')}`,
    })),
    ...spec.services.map((service) => ({
      step: 'verify',
      summary:
        `${service.name}.service.consul: ${plural(service.count, 'instance')} from every node's Consul DNS, ` +
        serviceCheckSummary(service),
    })),
    ...spec.dns.map((lookup) => ({
      step: 'verify',
      summary: `${lookup.name} ${lookup.type} from every node's Consul DNS: ${lookupExpectation(lookup)}`,
    })),
  ];
  return { nodes, cluster };
}

function hostVolumeSummary(volume: NodeSpec['host_volumes'][number]): string {
  return `${volume.name}=${volume.path}${volume.read_only ? ' (read-only)' : ''}`;
}

/** What verify asks of each instance of `service`. */
function serviceCheckSummary(service: ServiceSpec): string {
  if (service.check === 'http') return `HTTP 200 on ${service.path}`;
  return service.check === 'tcp' ? 'ports accept TCP' : 'ports not checked';
}

function bootSummary(spec: ClusterSpec, node: NodeSpec): string {
  const provider = spec.provider;
  if (provider.type === 'ssh') {
    const user = node.ssh?.user ?? provider.user;
    const port = node.ssh?.port ?? provider.port;
    return `existing host ${user}@${node.ssh?.host ?? node.address}:${port} (nothing to boot)`;
  }
  const from = provider.backend === 'docker' ? `image ${provider.image}` : `box ${provider.box}`;
  return `vagrant ${provider.backend} machine from ${from}, ${node.cpus} cpu, ${node.memory} MiB, ${node.address}`;
}
