import type { VerifyError } from '../errors.ts';
import type { NomadDriver, NomadNode } from '../remote/agent-types.ts';
import type { ClusterFacts, ConsulView, NomadView } from './cluster-facts.ts';
import { checkResult, type CheckResult } from './result.ts';
import { isServer, runsTasks } from '../config/topology.ts';
import { nomadRegistration } from '../facts/health.ts';
import { jobStates } from './job-evaluate.ts';

// Pure judgements of the cluster itself: the agents' facts in, one CheckResult per expectation out.

/** What the cluster file says of a node, as the cluster checks read it. */
export interface ClusterNode {
  name: string;
  role: 'server' | 'client' | 'both';
  /** Task drivers that must be detected and healthy on a node that runs tasks. */
  drivers: readonly string[];
  /** Names of the Nomad host volumes the node must offer. */
  hostVolumes: readonly string[];
}

export interface ClusterExpectation {
  datacenter: string;
  region: string;
  nodes: readonly ClusterNode[];
}

const CONSUL_STATUS = ['none', 'alive', 'leaving', 'left', 'failed'];

/** Every cluster check, Consul's then Nomad's, each in the order of the file's nodes. */
export function evaluateCluster(want: ClusterExpectation, facts: ClusterFacts, durationMs = 0): CheckResult[] {
  return [...consulChecks(want, facts, durationMs), ...nomadChecks(want, facts, durationMs)];
}

function result(
  service: 'consul' | 'nomad',
  what: string,
  node: string | undefined,
  expected: string,
  actual: string,
  ok: boolean,
  durationMs: number,
  asked: string,
): CheckResult {
  return checkResult({
    name: `${service}: ${what}`,
    service,
    ...(node === undefined ? {} : { node }),
    ok,
    expected,
    actual,
    durationMs,
    subject: `${service}: ${what} (${asked})`,
  });
}

function consulChecks(want: ClusterExpectation, facts: ClusterFacts, ms: number): CheckResult[] {
  const view = facts.consul;
  const asked = viewAsked('Consul', view);
  const checks: CheckResult[] = [];
  const leader = errorOr(view, (v) => v.leader || 'no leader');
  checks.push(
    result('consul', 'leader', fromNode(view), 'a leader', leader, !isError(view) && view.leader !== '', ms, asked),
  );

  for (const node of want.nodes) {
    const agent = facts.consulAgents.get(node.name);
    const expected = `${isServer(node) ? 'server' : 'client'} ${node.name} in ${want.datacenter}`;
    const actual =
      agent === undefined
        ? 'not asked'
        : errorOr(
            agent,
            (a) => `${a.Config.Server ? 'server' : 'client'} ${a.Config.NodeName} in ${a.Config.Datacenter}`,
          );
    checks.push(
      result(
        'consul',
        `agent on ${node.name}`,
        node.name,
        expected,
        actual,
        actual === expected,
        ms,
        `its own Consul API`,
      ),
    );
  }

  for (const node of want.nodes) {
    const expected = `alive ${isServer(node) ? 'server' : 'client'} in ${want.datacenter}`;
    const actual = errorOr(view, (v) => {
      const member = v.members.find((m) => m.Name === node.name);
      if (!member) return 'not a member';
      const role = member.Tags?.['role'] === 'consul' ? 'server' : 'client';
      return `${CONSUL_STATUS[member.Status] ?? `status ${member.Status}`} ${role} in ${member.Tags?.['dc'] ?? '?'}`;
    });
    checks.push(result('consul', `member ${node.name}`, node.name, expected, actual, actual === expected, ms, asked));
  }

  for (const node of want.nodes.filter(isServer)) {
    const actual = errorOr(view, (v) => {
      const server = v.raft.find((s) => s.Node === node.name);
      return server ? (server.Voter ? 'a voter' : 'a non-voter') : 'not in the Raft configuration';
    });
    checks.push(
      result('consul', `raft voter ${node.name}`, node.name, 'a voter', actual, actual === 'a voter', ms, asked),
    );
  }
  return checks;
}

function nomadChecks(want: ClusterExpectation, facts: ClusterFacts, ms: number): CheckResult[] {
  const view = facts.nomad;
  const asked = viewAsked('Nomad', view);
  const where = `${want.region}/${want.datacenter}`;
  const checks: CheckResult[] = [];
  const leader = errorOr(view, (v) => v.leader || 'no leader');
  checks.push(
    result('nomad', 'leader', fromNode(view), 'a leader', leader, !isError(view) && view.leader !== '', ms, asked),
  );

  for (const node of want.nodes) {
    const expected = `${agentRole(isServer(node), runsTasks(node))} in ${where}`;
    const agent = facts.nomadAgents.get(node.name);
    const actual =
      agent === undefined
        ? 'not asked'
        : errorOr(agent, (a) => {
            const role = agentRole(a.config.Server?.Enabled === true, a.config.Client?.Enabled === true);
            return `${role} in ${a.config.Region}/${a.config.Datacenter}`;
          });
    checks.push(
      result(
        'nomad',
        `agent on ${node.name}`,
        node.name,
        expected,
        actual,
        actual === expected,
        ms,
        'its own Nomad API',
      ),
    );
  }

  for (const node of want.nodes.filter(isServer)) {
    const expected = `alive in ${where}`;
    const actual = errorOr(view, (v) => {
      const member = v.members.find((m) => m.Name === `${node.name}.${want.region}`);
      return member
        ? `${member.Status} in ${member.Tags?.['region'] ?? '?'}/${member.Tags?.['dc'] ?? '?'}`
        : 'not a server member';
    });
    checks.push(result('nomad', `server ${node.name}`, node.name, expected, actual, actual === expected, ms, asked));
  }

  for (const node of want.nodes.filter(runsTasks)) {
    const registered = errorOr(view, (v) => nomadNode(v, node.name) ?? 'not registered');
    const expected = `ready, eligible, in ${want.datacenter}`;
    const actual =
      typeof registered === 'string'
        ? registered
        : `${registered.Status}, ${registered.SchedulingEligibility}, in ${registered.Datacenter}`;
    checks.push(result('nomad', `client ${node.name}`, node.name, expected, actual, actual === expected, ms, asked));

    const drivers =
      typeof registered === 'string' ? [registered] : node.drivers.map((d) => driverState(d, registered.Drivers?.[d]));
    const driversOk = typeof registered !== 'string' && drivers.every((d) => d.endsWith(' healthy'));
    checks.push(
      result(
        'nomad',
        `drivers on ${node.name}`,
        node.name,
        node.drivers.map((d) => `${d} healthy`).join(', '),
        drivers.join(', '),
        driversOk,
        ms,
        asked,
      ),
    );

    if (node.hostVolumes.length > 0) {
      const offered = typeof registered === 'string' ? undefined : Object.keys(registered.HostVolumes ?? {});
      const missing = offered === undefined ? [] : node.hostVolumes.filter((v) => !offered.includes(v));
      const actual =
        offered === undefined
          ? (registered as string)
          : missing.length > 0
            ? `missing ${missing.join(', ')} (offers: ${offered.join(', ') || 'none'})`
            : node.hostVolumes.join(', ');
      checks.push(
        result(
          'nomad',
          `host volumes on ${node.name}`,
          node.name,
          node.hostVolumes.join(', '),
          actual,
          offered !== undefined && missing.length === 0,
          ms,
          asked,
        ),
      );
    }
  }
  if (!isError(view) && view.jobs && view.allocations) {
    for (const { job, failing } of jobStates(view.jobs, view.allocations)) {
      const actual = failing.length === 0 ? 'no failed task' : failing.join('; ');
      checks.push(result('nomad', `job ${job}`, undefined, 'no failed task', actual, failing.length === 0, ms, asked));
    }
  }
  return checks;
}

function agentRole(server: boolean, client: boolean): string {
  if (server && client) return 'server and client';
  if (server) return 'server';
  return client ? 'client' : 'neither server nor client';
}

function nomadNode(view: NomadView, name: string): NomadNode | undefined {
  return nomadRegistration(view.nodes, name);
}

function driverState(name: string, driver: NomadDriver | undefined): string {
  if (!driver) return `${name} missing`;
  if (!driver.Detected) return `${name} not detected`;
  if (!driver.Healthy) return `${name} unhealthy${driver.HealthDescription ? `: ${driver.HealthDescription}` : ''}`;
  return `${name} healthy`;
}

function isError(value: unknown): value is VerifyError {
  return value instanceof Error;
}

function errorOr<T, R>(value: T | VerifyError, read: (value: T) => R): R | string {
  return isError(value) ? value.reason : read(value);
}

function fromNode(view: ConsulView | NomadView | VerifyError): string | undefined {
  return isError(view) ? undefined : view.from;
}

function viewAsked(product: string, view: ConsulView | NomadView | VerifyError): string {
  return isError(view) ? `no server's ${product} API answered: ${view.subject}` : `asked ${view.from}'s ${product} API`;
}
