import type { Answer } from 'dns-packet';
import type { VerifyError } from '../errors.ts';
import type { ConsulCheck } from '../remote/agent-types.ts';
import { hostPort, plural } from './describe.ts';
import { describeQuery, type DnsResponse, type DnsServer } from './dns-client.ts';
import { checkResult, type CheckResult } from './result.ts';

// Pure judgements: what came back (or the error instead) in, a CheckResult out.

export interface LabNode {
  name: string;
  /** The node's lab address (cluster.yaml `address`). */
  address: string;
}

/** One SRV record with the addresses its target resolves to (empty: unresolved). */
export interface SrvInstance {
  target: string;
  port: number;
  addresses: string[];
  /** Why a separate A query for the target failed, when the additional section had no address either. */
  unresolved?: string;
}

/** A service asked of one node's Consul DNS. */
export interface DnsAsk {
  service: string;
  node: string;
  server: DnsServer;
  /** `whoami.service.consul`. */
  name: string;
}

/** Each SRV answer with the A records of its target found in the additional section (where Consul puts them). */
export function srvInstances(response: Pick<DnsResponse, 'answers' | 'additionals'>): SrvInstance[] {
  return response.answers.flatMap((answer) =>
    answer.type === 'SRV'
      ? [
          {
            target: answer.data.target,
            port: answer.data.port,
            addresses: aRecords(response.additionals, answer.data.target),
          },
        ]
      : [],
  );
}

/** Addresses of the A records for `name` (case and a trailing dot do not matter in DNS names). */
export function aRecords(records: readonly Answer[], name: string): string[] {
  const wanted = canonicalName(name);
  // Consul repeats a target's A record once per SRV answer that names it.
  return [...new Set(records.flatMap((r) => (r.type === 'A' && canonicalName(r.name) === wanted ? [r.data] : [])))];
}

function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The SRV answer holds exactly `count` instances. */
export function evaluateCount(
  ask: DnsAsk,
  outcome: SrvInstance[] | VerifyError,
  count: number,
  durationMs: number,
): CheckResult {
  const actual = Array.isArray(outcome) ? plural(outcome.length, 'instance') : outcome.reason;
  return checkResult({
    name: `${ask.service}: SRV from ${ask.node}`,
    service: ask.service,
    node: ask.node,
    ok: Array.isArray(outcome) && outcome.length === count,
    expected: plural(count, 'instance'),
    actual,
    durationMs,
    subject: `${ask.service}: ${askedOf(ask, 'SRV')}`,
  });
}

/** Every SRV target resolves, and only to node lab addresses. */
export function evaluateTargets(
  ask: DnsAsk,
  instances: readonly SrvInstance[],
  nodes: readonly LabNode[],
  durationMs: number,
): CheckResult {
  const { good, bad } = judgeTargets(instances, nodes);
  return checkResult({
    name: `${ask.service}: targets from ${ask.node}`,
    service: ask.service,
    node: ask.node,
    ok: bad.length === 0,
    expected: 'every target a node address',
    actual: bad.length > 0 ? bad.join('; ') : good.length > 0 ? good.join(', ') : 'no targets',
    durationMs,
    subject: `${ask.service}: targets of ${askedOf(ask, 'SRV')}`,
  });
}

/** Records of an answer sorted: `good` as the report lists them, `bad` with why. */
export interface Judged {
  good: string[];
  bad: string[];
}

/** `good`: each target's `address:port (node)`; `bad`: each target unresolved or at an address of no node, and why. */
export function judgeTargets(instances: readonly SrvInstance[], nodes: readonly LabNode[]): Judged {
  const nodeAt = (address: string) => nodes.find((n) => n.address === address);
  const bad = instances.flatMap((i) => {
    if (i.addresses.length === 0) return [`${i.target} unresolved${i.unresolved ? ` (${i.unresolved})` : ''}`];
    const strangers = i.addresses.filter((a) => !nodeAt(a));
    return strangers.length > 0 ? [`${i.target} is ${strangers.join(', ')}, not a node address`] : [];
  });
  const good = instances.flatMap((i) =>
    i.addresses.flatMap((a) => {
      const node = nodeAt(a);
      return node ? [`${hostPort(a, i.port)} (${node.name})`] : [];
    }),
  );
  return { good, bad };
}

function askedOf(ask: DnsAsk, type: 'SRV'): string {
  return `${describeQuery(ask.server, { name: ask.name, type })} (${ask.node})`;
}

/** A target of a service, found at a node's address. */
export interface Endpoint {
  service: string;
  node: string;
  address: string;
  port: number;
}

/** What a port probe saw: a connection (tcp), a status (http), or the error instead. */
export type ProbeOutcome = { connected: true } | { status: number } | VerifyError;

/** The port answers as the service's `check` says: a TCP connection, or HTTP 200 from `path`. */
export function evaluatePort(
  endpoint: Endpoint,
  check: 'tcp' | 'http',
  path: string,
  outcome: ProbeOutcome,
  durationMs: number,
): CheckResult {
  const where = hostPort(endpoint.address, endpoint.port);
  const expected = check === 'tcp' ? 'a TCP connection' : `HTTP 200 from GET ${path}`;
  let ok = false;
  let actual: string;
  if ('reason' in outcome) actual = outcome.reason;
  else if ('status' in outcome) [ok, actual] = [outcome.status === 200, `HTTP ${outcome.status}`];
  else [ok, actual] = [true, 'connected'];
  return checkResult({
    name: `${endpoint.service}: port ${where} on ${endpoint.node}`,
    service: endpoint.service,
    node: endpoint.node,
    ok,
    expected,
    actual,
    durationMs,
    subject: `${endpoint.service}: ${check} check of ${where} (${endpoint.node})`,
  });
}

export interface ConsulHealth {
  /** Every health check of the service's instances. */
  checks: ConsulCheck[];
  /** Entries of `/v1/health/service/<service>?passing`. */
  passingInstances: number;
}

/** Consul's own view: `count` passing instances, and every health check of the service passing. */
export function evaluateHealth(
  ask: { service: string; node: string; api: string },
  count: number,
  outcome: ConsulHealth | VerifyError,
  durationMs: number,
): CheckResult {
  let ok = false;
  let actual: string;
  if ('reason' in outcome) {
    actual = outcome.reason;
  } else {
    const failing = outcome.checks.filter((c) => c.Status !== 'passing');
    ok = failing.length === 0 && outcome.passingInstances === count;
    const passing = `${outcome.checks.length - failing.length} of ${plural(outcome.checks.length, 'check')} passing`;
    const why = failing.map((c) => `"${c.Name}" ${c.Status} on ${c.Node}${c.Output ? `: ${oneLine(c.Output)}` : ''}`);
    actual = [`${plural(outcome.passingInstances, 'passing instance')}, ${passing}`, ...why].join('; ');
  }
  return checkResult({
    name: `${ask.service}: Consul health`,
    service: ask.service,
    node: ask.node,
    ok,
    expected: `${plural(count, 'passing instance')}, every check passing`,
    actual,
    durationMs,
    subject: `${ask.service}: health from Consul at ${ask.api} (${ask.node})`,
  });
}

/** A check's output can be a page of text; a report line wants its first 120 characters. */
function oneLine(text: string): string {
  const line = text.trim().split('\n', 1)[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
