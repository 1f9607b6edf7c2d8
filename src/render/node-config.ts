import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import { containerImage } from '../config/machines.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { labCgroupParent } from '../config/names.ts';
import type { NodeSecurity } from '../lab-secrets.ts';
import { renderHcl } from './hcl.ts';
import { isServer, runsTasks, servers } from '../config/topology.ts';
import { nodeDrivers, PLUGIN_DIR } from '../config/drivers.ts';
import { REGISTRY_AUTH_FILE, registryHost } from '../config/registry.ts';
import type { DriversSpec, LabMode } from '../config/schema.ts';

/** A file nomad-lab writes on a node. */
export interface NodeFile {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
  /** The service to restart when this file changes. */
  service: 'consul' | 'nomad';
  /** Holds a token or a private key: written, never shown as a diff. */
  secret?: boolean;
}

export type { NodeSecurity } from '../lab-secrets.ts';

export interface NodeConfigInput {
  spec: ClusterSpec;
  node: NodeSpec;
  /** Consul's gossip encryption key (base64, 32 bytes). */
  gossipKey: string;
  /** The node's interface that holds its lab address, read from the node. */
  networkInterface: string;
  security?: NodeSecurity;
  /**
   * mode container: the image the node's Docker runs Nomad from (`nomadAgentImage`); the Nomad unit is rendered
   * without one when not given (the Consul files do not need it).
   */
  nomadImage?: string;
}

const template = (name: string) => readFileSync(join(PACKAGE_ROOT, 'configs', name), 'utf8');

/** Every Consul and Nomad file of one node: configuration and systemd units. */
export function renderNodeConfig({
  spec,
  node,
  gossipKey,
  networkInterface,
  security = {},
  nomadImage,
}: NodeConfigInput): NodeFile[] {
  const { mode } = spec;
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
    acl: security.acl && {
      consul_management: security.acl.consulManagement,
      consul_agent: security.acl.consulAgent,
      consul_dns: security.acl.consulDns,
      consul_nomad: security.acl.consulNomad,
    },
    tls: security.tls !== undefined,
    dev: mode === 'dev',
    nomad_image: nomadImage,
    volume_mounts: node.host_volumes.map((v) => `${v.path}:${v.path}`),
    ...driverView(nodeDrivers(spec, node), registryHost(spec) === undefined ? undefined : REGISTRY_AUTH_FILE),
  };
  const consul = (path: string, name: string, mode = 0o640): NodeFile => ({
    path,
    content: renderHcl(template(name), view),
    mode,
    owner: 'consul',
    group: 'consul',
    service: 'consul',
  });
  const nomad = (path: string, name: string, mode = 0o640): NodeFile => ({
    path,
    content: renderHcl(template(name), view),
    mode,
    owner: 'root',
    group: 'root',
    service: 'nomad',
  });
  const dev = mode === 'dev';
  return [
    // A dev agent reads no config file: flags say all it needs.
    ...(dev ? [] : [consul('/etc/consul.d/consul.hcl', 'consul.hcl')]),
    { ...consul('/etc/systemd/system/consul.service', UNITS[mode].consul, 0o644), owner: 'root', group: 'root' },
    nomad('/etc/nomad.d/nomad.hcl', 'nomad.hcl'),
    // -dev makes the server (bootstrap_expect 1, state in memory).
    ...(server && !dev ? [nomad('/etc/nomad.d/server.hcl', 'server.hcl')] : []),
    ...(tasks ? [nomad('/etc/nomad.d/client.hcl', 'client.hcl')] : []),
    nomad('/etc/systemd/system/nomad.service', UNITS[mode].nomad, 0o644),
    ...(security.acl || security.tls
      ? securityFiles(consul('/etc/consul.d/security.hcl', 'consul-security.hcl', 0o600), '/etc/consul.d')
      : []),
    ...(security.acl || security.tls
      ? securityFiles(nomad('/etc/nomad.d/security.hcl', 'nomad-security.hcl', 0o600), '/etc/nomad.d')
      : []),
  ];

  /** The agent's security.hcl (tokens: secret) and, with TLS, the CA, its certificate and key beside it. */
  function securityFiles(config: NodeFile, dir: string): NodeFile[] {
    const pem = (name: string, content: string, mode: number, secret = false): NodeFile => ({
      ...config,
      path: `${dir}/${name}`,
      content,
      mode,
      secret,
    });
    const tls = security.tls;
    return [
      { ...config, secret: security.acl !== undefined },
      ...(tls
        ? [
            pem('tls-ca.pem', tls.ca, 0o644),
            pem('tls-cert.pem', tls.cert, 0o644),
            pem('tls-key.pem', tls.key, 0o600, true),
          ]
        : []),
    ];
  }
}

/** Each mode's systemd units: the same services, started differently. */
const UNITS: Record<LabMode, { consul: string; nomad: string }> = {
  standard: { consul: 'consul.service', nomad: 'nomad.service' },
  dev: { consul: 'consul-dev.service', nomad: 'nomad-dev.service' },
  container: { consul: 'consul.service', nomad: 'nomad-container.service' },
};

/**
 * client.hcl's plugin blocks: a section per enabled driver; false sections render nothing. With a lab registry, the
 * docker plugin reads its credentials from `registryAuth` unless the file names credentials of its own.
 */
function driverView(drivers: DriversSpec | undefined, registryAuth: string | undefined) {
  if (!drivers) return {};
  const { enabled, allow_caps, ...docker } = drivers.docker;
  const auth = docker.auth ?? (registryAuth === undefined ? undefined : { config: registryAuth });
  return {
    docker_off: !enabled,
    docker: enabled && { ...docker, auth, caps: allow_caps && { list: allow_caps } },
    raw_exec: drivers.raw_exec.enabled,
    podman: podmanView(drivers.podman),
  };
}

/** The nomad-driver-podman plugin's block, in the plugin's own names; false when the client does not enable it. */
function podmanView({ enabled, socket_path, extra_labels, ...podman }: DriversSpec['podman']) {
  return (
    enabled && {
      ...podman,
      plugin_dir: PLUGIN_DIR,
      socket: `unix://${socket_path}`,
      labels: extra_labels.length > 0 && { list: extra_labels },
    }
  );
}
