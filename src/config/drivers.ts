import type { DriversSpec } from './schema.ts';
import { runsTasks } from './topology.ts';

type Role = 'server' | 'client' | 'both';

/** The part of a cluster spec that says which task drivers a node enables; a ClusterSpec fits. */
export interface DriversOf {
  drivers?: DriversSpec | undefined;
}
export interface NodeDriversOf {
  role: Role;
  drivers?: Partial<DriversSpec> | undefined;
}

/** Nomad's name of each driver nomad-lab configures. */
export const DRIVER_NAMES = { docker: 'docker', raw_exec: 'raw_exec', podman: 'podman' } as const satisfies Record<
  keyof DriversSpec,
  string
>;

/** A node's drivers: the lab-wide ones, each replaced by the node's own entry of that name. */
export function nodeDrivers(spec: DriversOf, node: NodeDriversOf): DriversSpec | undefined {
  if (!runsTasks(node) || !spec.drivers) return undefined;
  return {
    ...spec.drivers,
    ...Object.fromEntries(Object.entries(node.drivers ?? {}).filter(([, d]) => d !== undefined)),
  };
}

/**
 * The Nomad driver names a node enables, which verify expects detected and healthy there; a spec
 * without `drivers` (the library's VerifySpec of older callers) means docker on every client.
 */
export function enabledDrivers(spec: DriversOf, node: NodeDriversOf): string[] {
  if (!runsTasks(node)) return [];
  const drivers = nodeDrivers(spec, node);
  if (!drivers) return ['docker'];
  return (Object.keys(DRIVER_NAMES) as (keyof DriversSpec)[])
    .filter((d) => drivers[d].enabled)
    .map((d) => DRIVER_NAMES[d]);
}

/** Nomad's plugin_dir on clients (its default, under data_dir): the podman driver's plugin binary is there. */
export const PLUGIN_DIR = '/opt/nomad/plugins';

/** The nodes that run podman tasks: they get podman, its socket and the driver plugin. */
export function podmanNodes<N extends NodeDriversOf>(spec: DriversOf & { nodes: readonly N[] }): N[] {
  return spec.nodes.filter((node) => nodeDrivers(spec, node)?.podman.enabled === true);
}
