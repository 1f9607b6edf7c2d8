export { loadCluster, parseCluster, type Cluster, type ParseOptions } from './config/load.ts';
export { DEFAULTS } from './config/defaults.ts';
export type {
  ClusterSpec,
  ClusterInput,
  NodeSpec,
  JobSpec,
  ServiceSpec,
  DnsLookupSpec,
  ProviderSpec,
} from './config/schema.ts';
export { planCluster, type Plan, type PlannedNode, type PlannedAction } from './plan/plan.ts';
export { NomadLabError, ConfigError, CommandError, ProviderError, formatIssue, type ConfigIssue } from './errors.ts';
export { up, UP_STEPS, UpInterruptedError, closeSessions, upReport, type UpOptions, type UpReport } from './up.ts';
export { runPipeline, runStep, StepError, type StepHooks } from './pipeline/runner.ts';
export { newUpState, type UpState, type Products } from './pipeline/state.ts';
export type { Step, AnyStep, StepOutcome, NodePlanner } from './pipeline/step.ts';
export { planLab, type LabPlan } from './plan/live-plan.ts';
export { down } from './down.ts';
export { cleanHosts, LAB_PATHS } from './clean-hosts.ts';
export { labReach, type LabReach, type LabReachOptions } from './lab-reach.ts';
export { labStatus, type LabStatus } from './status.ts';
export { openLabNomad, type LabNomad, type LabNomadOptions, type NomadReader } from './nomad/lab-nomad.ts';
export {
  allocStatus,
  jobLogTargets,
  readJobLogs,
  readLogs,
  type AllocStatus,
  type AllocRow,
  type LogTarget,
  type LogChoice,
} from './nomad/alloc.ts';
export { resetLab } from './reset.ts';
export { providerFor, type Provider, type NodeEndpoint, type MachineStatus } from './providers/index.ts';
export { prepareHost } from './host/prepare.ts';
export { checkPrerequisites, type PrerequisiteStatus } from './host/prerequisites.ts';
export { ensureArtifact, type Artifact } from './artifacts/fetch.ts';
export {
  ensureNodeImage,
  nodeImageTag,
  NODE_SUITES,
  type NodeSuite,
  type NodeImageOptions,
} from './images/node-image.ts';
export { ensureJobImage } from './images/job-images.ts';
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
  type VerifyLookup,
  type VerifyReport,
  type CheckResult,
  type JunitOptions,
  type TableOptions,
  type DnsResponse,
  type DnsServer,
} from './verify/index.ts';
export { VerifyError } from './errors.ts';
export { DIRECT, DIRECT_REACH, sshDialer, type Dialer, type Reach, type Via } from './verify/dialer.ts';
export { initLab, STARTERS, type Starter } from './init.ts';
export { clusterJsonSchema } from './config/json-schema.ts';
export {
  labEnv,
  labUrls,
  labVerifyOptions,
  renderEnv,
  sshArgs,
  journalCommand,
  type LabEnv,
  type LabUrls,
  type LogService,
} from './lab-access.ts';
export { readLabSecurity, type LabSecurity } from './state/security.ts';
export { registryAccess, type RegistryAccess } from './registry-access.ts';
