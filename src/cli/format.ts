import type { Cluster } from '../config/load.ts';
import type { Plan, PlannedAction } from '../plan/plan.ts';

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
