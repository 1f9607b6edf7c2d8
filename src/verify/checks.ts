import pMap from 'p-map';
import { VerifyError } from '../errors.ts';
import { fetchConsulHealth } from './consul-health.ts';
import { agentApi, type AgentCredentials } from './http-json.ts';
import { hostPort } from './describe.ts';
import { DIRECT_REACH, type Dialer, type Reach } from './dialer.ts';
import { query, queryA, querySrv, type DnsServer } from './dns-client.ts';
import {
  aRecords,
  evaluateCount,
  evaluateHealth,
  evaluatePort,
  evaluateTargets,
  srvInstances,
  type ConsulHealth,
  type DnsAsk,
  type Endpoint,
  type ProbeOutcome,
  type SrvInstance,
} from './evaluate.ts';
import { answeredAddresses, evaluateLookup, type LookupAnswer, type VerifyLookup } from './lookup-evaluate.ts';
import { httpGet, tcpConnect } from './probes.ts';
import type { CheckResult } from './result.ts';
import { servers } from '../config/topology.ts';
import type { DriversOf, NodeDriversOf } from '../config/drivers.ts';

/** What verify needs of a node; a ClusterSpec's nodes fit. */
export interface VerifyNode {
  name: string;
  role: 'server' | 'client' | 'both';
  /** The lab address, where the node's Consul DNS and HTTP API listen. */
  address: string;
  /** Nomad host volumes the node must offer (a client). */
  host_volumes?: readonly { name: string }[];
  /** The node's own task drivers (cluster.yaml `nodes[].drivers`), over the spec's `drivers`. */
  drivers?: NodeDriversOf['drivers'];
}

/** What verify needs of a service; a ClusterSpec's services fit. */
export interface VerifyService {
  name: string;
  count: number;
  check: 'tcp' | 'http' | 'none';
  path: string;
}

/** The part of a cluster spec that verify reads; pass `cluster.spec`. */
export interface VerifySpec {
  nodes: readonly VerifyNode[];
  services: readonly VerifyService[];
  /** Lookups asked of every node's Consul DNS besides the services' SRV (cluster.yaml `dns`). */
  dns?: readonly VerifyLookup[];
  /** Consul and Nomad datacenter the cluster checks expect (default dc1). */
  datacenter?: string;
  /** Nomad region the cluster checks expect (default global). */
  region?: string;
  /** Task drivers every client enables (cluster.yaml `drivers`); without it, docker. */
  drivers?: DriversOf['drivers'];
}

export interface VerifyOptions {
  /** Consul's DNS port on every node. */
  dnsPort?: number;
  /** Consul's HTTP API port on every node. */
  consulHttpPort?: number;
  /** Nomad's HTTP API port on every node. */
  nomadHttpPort?: number;
  /** Whether to check the cluster itself (agents, members, leaders, clients, drivers), not only the services. */
  cluster?: boolean;
  /** Per DNS query (each transport), TCP connect or HTTP request. */
  timeoutMs?: number;
  /** Queries and probes in flight at once. */
  concurrency?: number;
  /** Consul's DNS domain. */
  domain?: string;
  /** How queries reach each node: from this host (the default), or through the node's SSH session. */
  reach?: Reach;
  /** Tokens and TLS for the agents' APIs, for a lab with `security` on (`labVerifyOptions` reads them). */
  credentials?: AgentCredentials;
}

export const VERIFY_DEFAULTS: Required<VerifyOptions> = {
  dnsPort: 8600,
  consulHttpPort: 8500,
  nomadHttpPort: 4646,
  cluster: true,
  timeoutMs: 2000,
  concurrency: 8,
  domain: 'consul',
  reach: DIRECT_REACH,
  credentials: {},
};

interface NodeAnswer {
  count: CheckResult;
  targets?: CheckResult;
  instances: SrvInstance[];
}

/**
 * Every check for every service: SRV from each node's Consul DNS (count, targets), each distinct target's
 * port, and Consul's health view; then each `dns` lookup from each node's Consul DNS. Results come in a stable
 * order: by service, then node, then target; then by lookup, then node.
 */
export async function runChecks(spec: VerifySpec, options: VerifyOptions = {}): Promise<CheckResult[]> {
  const o = withDefaults(options);
  const answers: NodeAnswer[][] = spec.services.map(() => []);
  const health: CheckResult[] = [];
  const extra = spec.dns ?? [];
  const looked: CheckResult[][] = extra.map(() => []);
  const lookups = [
    ...spec.services.flatMap((service, s) => [
      ...spec.nodes.map((node, n) => async () => {
        answers[s]![n] = await askNode(service, node, spec.nodes, o);
      }),
      async () => {
        health[s] = await checkHealth(service, spec.nodes, o);
      },
    ]),
    ...extra.flatMap((lookup, l) =>
      spec.nodes.map((node, n) => async () => {
        looked[l]![n] = await askLookup(lookup, node, spec.nodes, o);
      }),
    ),
  ];
  await pMap(lookups, (lookup) => lookup(), { concurrency: o.concurrency });

  const endpoints = spec.services.map((service, s) =>
    service.check === 'none' ? [] : distinctEndpoints(service, answers[s]!, spec.nodes),
  );
  const probes = endpoints.flatMap((list, s) => list.map((endpoint) => ({ service: spec.services[s]!, endpoint })));
  const ports = await pMap(
    probes,
    ({ service, endpoint }) => probePort(service, endpoint, o.timeoutMs, o.reach.dialer(endpoint.node)),
    {
      concurrency: o.concurrency,
    },
  );

  let next = 0;
  return [
    ...spec.services.flatMap((_, s) => [
      ...answers[s]!.flatMap((a) => (a.targets ? [a.count, a.targets] : [a.count])),
      ...endpoints[s]!.map(() => ports[next++]!),
      health[s]!,
    ]),
    ...looked.flat(),
  ];
}

export function withDefaults(options: VerifyOptions): Required<VerifyOptions> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...VERIFY_DEFAULTS, ...given };
}

/** SRV from one node's Consul DNS, with an A query to the same server for a target the additional section left out. */
async function askNode(
  service: VerifyService,
  node: VerifyNode,
  nodes: readonly VerifyNode[],
  o: Required<VerifyOptions>,
): Promise<NodeAnswer> {
  const server: DnsServer = { address: node.address, port: o.dnsPort };
  const ask: DnsAsk = { service: service.name, node: node.name, server, name: `${service.name}.service.${o.domain}` };
  const dialer = o.reach.dialer(node.name);
  let started = performance.now();
  let instances: SrvInstance[];
  try {
    instances = srvInstances(await querySrv(server, ask.name, { timeoutMs: o.timeoutMs, dialer }));
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { count: evaluateCount(ask, error, service.count, elapsed(started)), instances: [] };
  }
  const count = evaluateCount(ask, instances, service.count, elapsed(started));
  started = performance.now();
  instances = await resolveTargets(server, instances, o.timeoutMs, dialer);
  return { count, targets: evaluateTargets(ask, instances, nodes, elapsed(started)), instances };
}

/** A `dns` lookup from one node's Consul DNS; an SRV answer's targets are resolved as a service's are. */
async function askLookup(
  lookup: VerifyLookup,
  node: VerifyNode,
  nodes: readonly VerifyNode[],
  o: Required<VerifyOptions>,
): Promise<CheckResult> {
  const server: DnsServer = { address: node.address, port: o.dnsPort };
  const dialer = o.reach.dialer(node.name);
  const started = performance.now();
  let outcome: LookupAnswer | VerifyError;
  try {
    const response = await query(server, { name: lookup.name, type: lookup.type }, { timeoutMs: o.timeoutMs, dialer });
    outcome =
      lookup.type === 'A'
        ? { rcode: response.rcode, addresses: answeredAddresses(response.answers) }
        : {
            rcode: response.rcode,
            instances: await resolveTargets(server, srvInstances(response), o.timeoutMs, dialer),
          };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    outcome = error;
  }
  return evaluateLookup({ lookup, node: node.name, server }, outcome, nodes, elapsed(started));
}

/** Each instance with its target's addresses: from the additional section, else an A query to the same server. */
function resolveTargets(server: DnsServer, instances: readonly SrvInstance[], timeoutMs: number, dialer: Dialer) {
  return Promise.all(
    instances.map((i) => (i.addresses.length > 0 ? Promise.resolve(i) : resolveTarget(server, i, timeoutMs, dialer))),
  );
}

async function resolveTarget(
  server: DnsServer,
  instance: SrvInstance,
  timeoutMs: number,
  dialer: Dialer,
): Promise<SrvInstance> {
  try {
    const response = await queryA(server, instance.target, { timeoutMs, dialer });
    const addresses = aRecords(response.answers, instance.target);
    return addresses.length > 0
      ? { ...instance, addresses }
      : { ...instance, unresolved: `no A record, ${response.rcode}` };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { ...instance, unresolved: error.reason };
  }
}

/**
 * Each address:port the nodes' answers point at, once; only node addresses, so verify sends nothing outside the lab.
 */
function distinctEndpoints(
  service: VerifyService,
  answers: readonly NodeAnswer[],
  nodes: readonly VerifyNode[],
): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const instance of answers.flatMap((a) => a.instances)) {
    for (const address of instance.addresses) {
      const node = nodes.find((n) => n.address === address);
      const key = hostPort(address, instance.port);
      if (node && !seen.has(key))
        seen.set(key, { service: service.name, node: node.name, address, port: instance.port });
    }
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([, e]) => e);
}

/** From this host, or from the node that answers on that port (through its SSH session). */
async function probePort(
  service: VerifyService,
  endpoint: Endpoint,
  timeoutMs: number,
  dialer: Dialer,
): Promise<CheckResult> {
  const check = service.check === 'http' ? 'http' : 'tcp';
  const started = performance.now();
  let outcome: ProbeOutcome;
  try {
    if (check === 'tcp') {
      await tcpConnect(endpoint.address, endpoint.port, timeoutMs, dialer);
      outcome = { connected: true };
    } else {
      outcome = {
        status: (
          await httpGet(`http://${hostPort(endpoint.address, endpoint.port)}${service.path}`, timeoutMs, {}, dialer)
        ).status,
      };
    }
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    outcome = error;
  }
  return evaluatePort(endpoint, check, service.path, outcome, elapsed(started));
}

/** Consul's HTTP API on the first server that answers (any agent would do; servers hold the catalog). */
async function checkHealth(
  service: VerifyService,
  nodes: readonly VerifyNode[],
  o: Required<VerifyOptions>,
): Promise<CheckResult> {
  const serverNodes = servers({ nodes });
  const started = performance.now();
  let first: { node: VerifyNode; error: VerifyError } | undefined;
  for (const node of serverNodes.length > 0 ? serverNodes : nodes) {
    const api = agentApi(node.address, o.consulHttpPort, 'consul', o.credentials).base;
    let outcome: ConsulHealth | VerifyError;
    try {
      outcome = await fetchConsulHealth(
        node.address,
        o.consulHttpPort,
        service.name,
        o.timeoutMs,
        o.credentials,
        o.reach.dialer(node.name),
      );
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      first ??= { node, error };
      continue;
    }
    return evaluateHealth({ service: service.name, node: node.name, api }, service.count, outcome, elapsed(started));
  }
  const { node, error } = first!;
  const api = agentApi(node.address, o.consulHttpPort, 'consul', o.credentials).base;
  return evaluateHealth({ service: service.name, node: node.name, api }, service.count, error, elapsed(started));
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}
