import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import { containerImage } from '../config/machines.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { labCgroupParent } from '../config/names.ts';
import { renderHcl } from './hcl.ts';
import { isServer, runsTasks, servers } from '../config/topology.ts';

/** A file nomad-lab writes on a node. */
export interface NodeFile {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
  /** The service to restart when this file changes. */
  service: 'consul' | 'nomad';
}

export interface NodeConfigInput {
  spec: ClusterSpec;
  node: NodeSpec;
  /** Consul's gossip encryption key (base64, 32 bytes). */
  gossipKey: string;
  /** The node's interface that holds its lab address, read from the node. */
  networkInterface: string;
}

const template = (name: string) => readFileSync(join(PACKAGE_ROOT, 'configs', name), 'utf8');

/** Every Consul and Nomad file of one node: configuration and systemd units. */
export function renderNodeConfig({ spec, node, gossipKey, networkInterface }: NodeConfigInput): NodeFile[] {
  const serverNodes = servers(spec);
  const server = isServer(node);
  const tasks = runsTasks(node);
  const view = {
    datacenter: spec.datacenter,
    region: spec.region,
    node_name: node.name,
    address: node.address,
    // Loopback for the node's own tools, the lab address for `verify` from the host.
    client_addr: `127.0.0.1 ${node.address}`,
    http_addr: `127.0.0.1 ${node.address}`,
    retry_join: serverNodes.map((s) => s.address),
    servers: serverNodes.map((s) => s.address),
    encrypt: gossipKey,
    server,
    bootstrap_expect: serverNodes.length,
    network_interface: networkInterface,
    cgroup_parent: containerImage(spec) !== undefined ? labCgroupParent(spec.name, node.name, 'nomad') : undefined,
    host_volumes: node.host_volumes,
  };
  const consul = (path: string, name: string, mode = 0o640): NodeFile => ({
    path, content: renderHcl(template(name), view), mode, owner: 'consul', group: 'consul', service: 'consul',
  });
  const nomad = (path: string, name: string, mode = 0o640): NodeFile => ({
    path, content: renderHcl(template(name), view), mode, owner: 'root', group: 'root', service: 'nomad',
  });
  return [
    consul('/etc/consul.d/consul.hcl', 'consul.hcl'),
    { ...consul('/etc/systemd/system/consul.service', 'consul.service', 0o644), owner: 'root', group: 'root' },
    nomad('/etc/nomad.d/nomad.hcl', 'nomad.hcl'),
    ...(server ? [nomad('/etc/nomad.d/server.hcl', 'server.hcl')] : []),
    ...(tasks ? [nomad('/etc/nomad.d/client.hcl', 'client.hcl')] : []),
    nomad('/etc/systemd/system/nomad.service', 'nomad.service', 0o644),
  ];
}
