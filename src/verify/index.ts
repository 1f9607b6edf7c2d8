export { verifyCluster } from './verify-cluster.ts';
export {
  runChecks,
  VERIFY_DEFAULTS,
  type VerifyNode,
  type VerifyOptions,
  type VerifyService,
  type VerifySpec,
} from './checks.ts';
export type { VerifyLookup } from './lookup-evaluate.ts';
export { toReport, type CheckResult, type VerifyReport } from './result.ts';
export { renderJson, renderJunit, renderTable, summary, type JunitOptions, type TableOptions } from './report.ts';
export {
  query,
  queryA,
  querySrv,
  describeQuery,
  type DnsQuestion,
  type DnsResponse,
  type DnsServer,
  type QueryOptions,
  type Transport,
} from './dns-client.ts';
export { fetchConsulHealth } from './consul-health.ts';
export { httpGet, tcpConnect, type HttpAnswer } from './probes.ts';
