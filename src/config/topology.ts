// Who does what in a cluster, in one place: a `both` node is a server and runs tasks.

type Role = 'server' | 'client' | 'both';

/** A Consul and Nomad server (`server` or `both`). */
export const isServer = (node: { role: Role }): boolean => node.role !== 'client';

/** A Nomad client that runs tasks, with Docker (`client` or `both`). */
export const runsTasks = (node: { role: Role }): boolean => node.role !== 'server';

export function servers<N extends { role: Role }>(spec: { nodes: readonly N[] }): N[] {
  return spec.nodes.filter(isServer);
}

export function clients<N extends { role: Role }>(spec: { nodes: readonly N[] }): N[] {
  return spec.nodes.filter(runsTasks);
}

/**
 * The first server in the file: where the cluster as a whole is asked and jobs are registered. A valid file has one.
 */
export function firstServer<N extends { role: Role }>(spec: { nodes: readonly N[] }): N {
  const server = spec.nodes.find(isServer);
  if (!server) throw new TypeError('a cluster without a server node');
  return server;
}
