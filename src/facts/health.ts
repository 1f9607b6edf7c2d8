import type { ConsulMember, NomadNodeStub } from '../remote/agent-types.ts';

/** Parsers of what the agents report, kept pure so tests can feed them recorded output. */

export interface Member {
  name: string;
  address: string;
  status: string;
  type: string;
}

/** Serf's member states, as Consul's `/v1/agent/members` numbers them. */
const MEMBER_STATUS = ['none', 'alive', 'leaving', 'left', 'failed'];

/** Consul's `/v1/agent/members`, as `consul members` shows it: `alive`, `server` (its role tag is `consul`). */
export function consulMembers(members: readonly ConsulMember[]): Member[] {
  return members.map((m) => ({
    name: m.Name,
    address: m.Port === undefined ? m.Addr : `${m.Addr}:${m.Port}`,
    status: MEMBER_STATUS[m.Status] ?? `status ${m.Status}`,
    type: m.Tags?.['role'] === 'consul' ? 'server' : 'client',
  }));
}

/**
 * `consul members` (its table). nomad-lab asks the API (consulMembers); the end-to-end tests run the CLI on the
 * nodes as a witness of their own.
 */
export function parseConsulMembers(stdout: string): Member[] {
  const [header, ...rows] = stdout.trim().split('\n');
  if (!header?.startsWith('Node')) return [];
  return rows
    .map((row) => row.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4)
    .map(([name, address, status, type]) => ({ name: name!, address: address!, status: status!, type: type! }));
}

/** Nodes of `expected` that are not alive members, with what Consul says of them. */
export function membersNotAlive(members: readonly Member[], expected: readonly string[]): string[] {
  return expected.flatMap((name) => {
    const member = members.find((m) => m.name === name);
    return member?.status === 'alive' ? [] : [`${name} ${member ? member.status : 'not a member'}`];
  });
}

/**
 * The registration of the Nomad node named `name` that counts: a machine re-created under the same name
 * registers anew, and its old registration stays `down` until Nomad collects it (24 h), so the ready one.
 */
export function nomadRegistration<T extends { Name: string; Status: string }>(
  nodes: readonly T[],
  name: string,
): T | undefined {
  const all = nodes.filter((n) => n.Name === name);
  return all.find((n) => n.Status === 'ready') ?? all[0];
}

/**
 * Clients of `expected` that are not ready with every task driver they enable healthy (from `/v1/nodes`); a bare
 * name expects the docker driver.
 */
export function clientsNotReady(
  nodesJson: string,
  expected: ReadonlyArray<string | { name: string; drivers: readonly string[] }>,
): string[] {
  const nodes = JSON.parse(nodesJson) as Pick<NomadNodeStub, 'Name' | 'Status' | 'Drivers'>[];
  return expected.flatMap((want) => {
    const { name, drivers } = typeof want === 'string' ? { name: want, drivers: ['docker'] } : want;
    const node = nomadRegistration(nodes, name);
    if (!node) return [`${name} not registered`];
    if (node.Status !== 'ready') return [`${name} ${node.Status}`];
    return drivers.flatMap((driver) => {
      const state = node.Drivers?.[driver];
      return state?.Healthy
        ? []
        : [`${name} ${driver} driver ${state ? `unhealthy: ${state.HealthDescription ?? ''}` : 'missing'}`];
    });
  });
}
