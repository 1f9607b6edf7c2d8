import { runChecks, type VerifyOptions, type VerifySpec } from './checks.ts';
import { toReport, type VerifyReport } from './result.ts';

/** Proves the services a cluster file expects through every node's Consul DNS, their ports and Consul's health view; never throws for a failed check. */
export async function verifyCluster(spec: VerifySpec, options?: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const results = await runChecks(spec, options);
  return toReport(results, Math.round(performance.now() - started));
}
