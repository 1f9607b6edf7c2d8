import { printableLine } from '../text.ts';
import type { PlannedChange } from '../plan/live-plan.ts';
import type { Cluster } from '../config/load.ts';
import type { Plan, PlannedAction } from '../plan/plan.ts';
import type { LabStatus } from '../status.ts';
import { shortId, type AllocStatus, type TaskRow } from '../nomad/alloc.ts';

export function summarize({ spec }: Cluster): string {
  const count = (role: string) => spec.nodes.filter((n) => n.role === role).length;
  const parts = [
    `${spec.nodes.length} node${spec.nodes.length === 1 ? '' : 's'} (${(['server', 'both', 'client'] as const)
      .map((r) => [count(r), r === 'both' ? 'server+client' : r] as const)
      .filter(([n]) => n > 0)
      .map(([n, r]) => `${n} ${r}${n === 1 ? '' : 's'}`)
      .join(', ')})`,
    `${spec.jobs.length} job${spec.jobs.length === 1 ? '' : 's'}`,
    `${spec.services.length} service${spec.services.length === 1 ? '' : 's'} to verify`,
    ...(spec.dns.length > 0 ? [`${spec.dns.length} DNS lookup${spec.dns.length === 1 ? '' : 's'}`] : []),
  ];
  return parts.join(', ');
}

export function formatPlan(plan: Plan): string {
  const width = Math.max(0, ...[...plan.nodes.flatMap((n) => n.actions), ...plan.cluster].map((a) => a.step.length));
  const line = (a: PlannedAction) => `  ${a.step.padEnd(width)}  ${a.summary}`;
  const blocks = plan.nodes.map((n) => [`${n.name} (${n.role}, ${n.address})`, ...n.actions.map(line)].join('\n'));
  if (plan.cluster.length > 0) blocks.push(['cluster', ...plan.cluster.map(line)].join('\n'));
  return blocks.join('\n\n');
}

/**
 * Rows as aligned columns under a header; a cell is one line, control characters escaped (values come from the lab's
 * APIs).
 */
export function table(header: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((row) => row.map(printableLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatStatus(status: LabStatus): string {
  const blocks = [
    `Machines\n${table(
      ['NODE', 'STATE', 'DETAIL'],
      status.machines.map((m) => [m.node, m.state, m.detail]),
    )}`,
  ];
  if (status.consul.length > 0) {
    blocks.push(
      `Consul members\n${table(
        ['NODE', 'ADDRESS', 'STATUS', 'TYPE'],
        status.consul.map((m) => [m.name, m.address, m.status, m.type]),
      )}`,
    );
  }
  const nomad = status.nomad;
  if (nomad) {
    blocks.push(
      `Nomad servers (leader ${nomad.leader || 'none'})\n${table(
        ['NAME', 'STATUS', 'LEADER'],
        nomad.servers.map((s) => [s.name, s.status, s.leader ? 'yes' : '']),
      )}`,
    );
    blocks.push(
      `Nomad clients\n${table(
        ['NAME', 'STATUS', 'DOCKER'],
        nomad.clients.map((c) => [c.name, c.status, c.docker]),
      )}`,
    );
    blocks.push(
      nomad.jobs.length === 0
        ? 'Jobs: none'
        : `Jobs\n${table(
            ['JOB', 'TYPE', 'STATUS'],
            nomad.jobs.map((j) => [j.id, j.type, j.status]),
          )}`,
    );
    if (nomad.allocations.length > 0) {
      blocks.push(
        `Allocations\n${table(
          ['ID', 'JOB', 'GROUP', 'NODE', 'STATUS', 'HEALTHY'],
          nomad.allocations.map((a) => [
            a.id,
            a.job,
            a.group,
            a.node,
            a.status,
            a.healthy === null ? '-' : String(a.healthy),
          ]),
        )}`,
      );
    }
  }
  blocks.push(`UIs\n  Nomad   ${status.urls.nomadUi}\n  Consul  ${status.urls.consulUi}`);
  if (status.problems.length > 0) blocks.push(`Problems\n${status.problems.map((p) => `  ${p}`).join('\n')}`);
  return blocks.join('\n\n');
}

/** `up`'s changes on a running lab, node by node, each with why and a file's diff; or `0 changes`. */
export function formatLivePlan(changes: readonly PlannedChange[]): string {
  if (changes.length === 0) return 'plan: 0 changes, the lab is as cluster.yaml says';
  const lines: string[] = [];
  for (const node of [...new Set(changes.map((c) => c.node))]) {
    lines.push(`${node}:`);
    for (const change of changes.filter((c) => c.node === node)) {
      lines.push(`  ~ ${change.description}${change.reason ? ` (${change.reason})` : ''}  [${change.step}]`);
      if (change.diff)
        lines.push(
          ...change.diff
            .trimEnd()
            .split('\n')
            .slice(2)
            .map((l) => `      ${l}`),
        );
    }
  }
  lines.push('', `plan: ${changes.length} change${changes.length === 1 ? '' : 's'}; \`nomad-lab up\` makes them`);
  return lines.join('\n');
}

/** `  task whoami: running, 2025-06-01T10:12:03Z Started: Task started by client`. */
function taskLine({ task, state, failed, lastEvent }: TaskRow): string {
  const event = lastEvent && [lastEvent.time, `${lastEvent.type}${lastEvent.message ? ':' : ''}`, lastEvent.message];
  const said = event ? `, ${event.filter((part) => part).join(' ')}` : ', no events yet';
  return printableLine(`  task ${task}: ${state}${failed ? ' (failed)' : ''}${said}`);
}

/** `alloc status`: a row per allocation, newest first, its tasks' last events below it; then the placement failures. */
export function formatAllocStatus(status: AllocStatus): string {
  const blocks: string[] = [];
  if (status.allocations.length === 0) {
    blocks.push(printableLine(`${status.job}: no allocations placed`));
  } else {
    const rows = status.allocations.map((a) => [
      shortId(a.id),
      a.group,
      a.node,
      a.address || '-',
      a.ports.map((p) => `${p.label}=${p.address}:${p.port}`).join(', ') || '-',
      a.desired,
      a.status,
    ]);
    const columns = ['ID', 'GROUP', 'NODE', 'ADDRESS', 'PORTS', 'DESIRED', 'STATUS'];
    const [header, ...lines] = table(columns, rows).split('\n');
    const body = lines.flatMap((line, i) => [line, ...status.allocations[i]!.tasks.map(taskLine)]);
    blocks.push([printableLine(`Allocations of ${status.job}, newest first`), header!, ...body].join('\n'));
  }
  if (status.placementFailures.length > 0) {
    blocks.push(['Placement failures', ...status.placementFailures.map((f) => printableLine(`  ${f}`))].join('\n'));
  }
  return blocks.join('\n\n');
}
