import type { Cluster } from '../config/load.ts';
import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import { clients, isServer, runsTasks, servers } from '../config/topology.ts';
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
        summary: `${server ? `server (bootstrap_expect ${serverNodes.length})` : 'client'}, bind ${node.address}, retry_join ${serverAddresses}`,
      },
      {
        step: 'nomad',
        summary: [
          server ? `server (bootstrap_expect ${serverNodes.length})` : undefined,
          tasks ? `client of ${serverAddresses}, docker driver` : undefined,
          node.host_volumes.length > 0
            ? `host volumes ${node.host_volumes.map((v) => `${v.name}=${v.path}${v.read_only ? ' (read-only)' : ''}`).join(', ')}`
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
      summary: `job ${job.name} from ${job.file} on ${clientNodes.length} client${clientNodes.length === 1 ? '' : 's'}`,
    })),
    ...spec.services.map((service) => ({
      step: 'verify',
      summary: `${service.name}.service.consul: ${service.count} instance${service.count === 1 ? '' : 's'} from every node's Consul DNS, ${service.check === 'http' ? `HTTP 200 on ${service.path}` : service.check === 'tcp' ? 'ports accept TCP' : 'ports not checked'}`,
    })),
    ...spec.dns.map((lookup) => ({
      step: 'verify',
      summary: `${lookup.name} ${lookup.type} from every node's Consul DNS: ${lookupExpectation(lookup)}`,
    })),
  ];
  return { nodes, cluster };
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
