import { evaluateCluster, type ClusterExpectation } from './cluster-evaluate.ts';
import { readClusterFacts } from './cluster-facts.ts';
import { runChecks, withDefaults, type VerifyOptions, type VerifySpec } from './checks.ts';
import { toReport, type CheckResult, type VerifyReport } from './result.ts';
import { enabledDrivers } from '../config/drivers.ts';

/**
 * Proves the cluster (every node's agents, members, leaders, Raft voters, clients ready with healthy drivers and
 * their host volumes), the services a cluster file expects (every node's Consul DNS, their ports and Consul's
 * health view) and its `dns` lookups (from every node's Consul DNS); never throws for a failed check.
 */
export async function verifyCluster(spec: VerifySpec, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const o = withDefaults(options);
  const [cluster, services] = await Promise.all([o.cluster ? clusterChecks(spec, o) : [], runChecks(spec, o)]);
  const results = [...cluster, ...services];
  const durationMs = Math.round(performance.now() - started);
  if (options.reach === undefined) return toReport(results, durationMs);
  const { via, reason } = options.reach;
  return {
    ...toReport(
      results.map((r) => ({ ...r, via })),
      durationMs,
    ),
    reach: { via, reason },
  };
}

async function clusterChecks(spec: VerifySpec, o: Required<VerifyOptions>): Promise<CheckResult[]> {
  const started = performance.now();
  const facts = await readClusterFacts(spec.nodes, o);
  return evaluateCluster(clusterExpectation(spec), facts, Math.round(performance.now() - started));
}

/**
 * What the file says the cluster is: every node that runs tasks has each driver it enables healthy, and its host
 * volumes.
 */
export function clusterExpectation(spec: VerifySpec): ClusterExpectation {
  return {
    datacenter: spec.datacenter ?? 'dc1',
    region: spec.region ?? 'global',
    nodes: spec.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      drivers: enabledDrivers(spec, n),
      hostVolumes: (n.host_volumes ?? []).map((v) => v.name),
    })),
  };
}
