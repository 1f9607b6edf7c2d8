// How Consul's DNS reads a name under its domain, for the lookups a cluster file asks `verify` to make.

/** The lab's Consul DNS domain (Consul's default; the rendered configs keep it). */
export const CONSUL_DOMAIN = 'consul';

/** The labels Consul reads, right to left, as the kind of lookup; a name comes before one, a datacenter may follow. */
const KINDS = ['service', 'connect', 'ingress', 'virtual', 'node', 'query', 'addr'] as const;

export interface ConsulDnsName {
  kind: (typeof KINDS)[number];
  /** The datacenter asked (`todo-db.service.dc1.consul`, `todo-db.service.dc1.dc.consul`); none: the agent's own. */
  datacenter?: string;
}

/** How Consul reads `name`, or undefined when it is not under the domain or no label after the first names a kind. */
export function readConsulDnsName(name: string): ConsulDnsName | undefined {
  const labels = name.split('.');
  if (labels.pop() !== CONSUL_DOMAIN) return undefined;
  const at = Math.max(...KINDS.map((kind) => labels.lastIndexOf(kind)));
  if (at < 1) return undefined;
  const after = labels.slice(at + 1);
  const datacenter = after.length === 1 || (after.length === 2 && after[1] === 'dc') ? after[0] : undefined;
  return { kind: labels[at] as ConsulDnsName['kind'], ...(datacenter === undefined ? {} : { datacenter }) };
}
