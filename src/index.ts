export { loadCluster, parseCluster, type Cluster, type ParseOptions } from './config/load.ts';
export { DEFAULTS } from './config/defaults.ts';
export type { ClusterSpec, ClusterInput, NodeSpec, JobSpec, ServiceSpec, ProviderSpec } from './config/schema.ts';
export { planCluster, type Plan, type PlannedNode, type PlannedAction } from './plan/plan.ts';
export { NomadLabError, ConfigError, formatIssue, type ConfigIssue } from './errors.ts';
export * from './remote/index.ts';
export {
  verifyCluster,
  runChecks,
  VERIFY_DEFAULTS,
  renderTable,
  renderJson,
  renderJunit,
  querySrv,
  queryA,
  type VerifyOptions,
  type VerifySpec,
  type VerifyReport,
  type CheckResult,
  type JunitOptions,
  type TableOptions,
  type DnsResponse,
  type DnsServer,
} from './verify/index.ts';
export { VerifyError } from './errors.ts';
