import type { Answer } from 'dns-packet';
import type { VerifyError } from '../errors.ts';
import { plural } from './describe.ts';
import { describeQuery, type DnsServer } from './dns-client.ts';
import { judgeTargets, type Judged, type LabNode, type SrvInstance } from './evaluate.ts';
import { checkResult, type CheckResult } from './result.ts';

// Pure judgements of the cluster file's `dns` lookups: what one node's Consul DNS answered in, a CheckResult out.

/** A lookup of the cluster file (`dns`); a ClusterSpec's `dns` entries fit. */
export interface VerifyLookup {
  /** As `dig` is given it: `todo-db.service.dc1.consul`, `http.todo-web.service.consul`. */
  name: string;
  type: 'A' | 'SRV';
  /** Exactly this many answers; undefined: at least one. */
  count?: number;
}

/** A lookup asked of one node's Consul DNS. */
export interface LookupAsk {
  lookup: VerifyLookup;
  node: string;
  server: DnsServer;
}

/** What came back: the response code, and the A answers' addresses, or the SRV answers with their targets resolved. */
export type LookupAnswer = { rcode: string; addresses: string[] } | { rcode: string; instances: SrvInstance[] };

/** The address of every A record answered, whatever its name (a service with a hostname is answered with a CNAME). */
export function answeredAddresses(answers: readonly Answer[]): string[] {
  return answers.flatMap((r) => (r.type === 'A' ? [r.data] : []));
}

/** `1 node address`, `at least 1 instance, each target a node address`: for the report and the plan. */
export function lookupExpectation(lookup: VerifyLookup): string {
  const [one, many] = lookup.type === 'A' ? ['node address', 'node addresses'] : ['instance', 'instances'];
  const count = lookup.count === undefined ? `at least ${plural(1, one, many)}` : plural(lookup.count, one, many);
  return lookup.type === 'A' ? count : `${count}, each target a node address`;
}

/** Answers as many as the lookup expects (at least one), each an address of a node: A records, or SRV targets. */
export function evaluateLookup(
  ask: LookupAsk,
  outcome: LookupAnswer | VerifyError,
  nodes: readonly LabNode[],
  durationMs: number,
): CheckResult {
  const { lookup } = ask;
  let ok = false;
  let actual: string;
  if ('reason' in outcome) {
    actual = outcome.reason;
  } else {
    const [records, { good, bad }] =
      'addresses' in outcome
        ? [outcome.addresses.length, judgeAddresses(outcome.addresses, nodes)]
        : [outcome.instances.length, judgeTargets(outcome.instances, nodes)];
    const [one, many] = 'addresses' in outcome ? ['address', 'addresses'] : ['instance', 'instances'];
    ok = records > 0 && (lookup.count === undefined || records === lookup.count) && bad.length === 0;
    actual =
      records === 0
        ? `no ${lookup.type} record, ${outcome.rcode}`
        : `${plural(records, one, many)}: ${[good.join(', '), ...bad].filter((part) => part !== '').join('; ')}`;
  }
  return checkResult({
    name: `dns: ${lookup.name} ${lookup.type} from ${ask.node}`,
    service: 'dns',
    node: ask.node,
    ok,
    expected: lookupExpectation(lookup),
    actual,
    durationMs,
    subject: `dns: ${describeQuery(ask.server, { name: lookup.name, type: lookup.type })} (${ask.node})`,
  });
}

/** `good`: each node address with its node; `bad`: each address of no node. */
function judgeAddresses(addresses: readonly string[], nodes: readonly LabNode[]): Judged {
  const named = addresses.map((address) => ({ address, node: nodes.find((n) => n.address === address) }));
  return {
    good: named.flatMap(({ address, node }) => (node ? [`${address} (${node.name})`] : [])),
    bad: named.flatMap(({ address, node }) => (node ? [] : [`${address} is not a node address`])),
  };
}
