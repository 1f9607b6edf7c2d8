import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../config/load.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { RemoteCommandError, RemoteConnectError } from '../errors.ts';
import { labUrls, type LogService } from '../lab-access.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { fileFlag } from './load.ts';

/** `--version`: nomad-lab's own, and what it installs when a cluster file pins nothing else. */
export function versionText(): string {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return (
    `nomad-lab ${version}\nconsul ${DEFAULTS.versions.consul}, nomad ${DEFAULTS.versions.nomad} (installed ` +
    `unless a cluster file's "versions" says otherwise)`
  );
}

/** The node a failure names, from the error or its causes. */
export function failedNode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof RemoteCommandError) return e.where;
    if (e instanceof RemoteConnectError) return e.node;
  }
  return undefined;
}

/** The agent whose journal tells most about a failure at `step` (an up step's title). */
export function stepService(step: string): LogService | undefined {
  if (/consul/i.test(step)) return 'consul';
  if (/nomad|deploy/i.test(step)) return 'nomad';
  if (/packages|job images/i.test(step)) return 'docker';
  return undefined;
}

/** What to do after a failed `up`: look at the node, read its agent's journal, retry or destroy. */
export function upFailureHint(cluster: Pick<Cluster, 'spec'>, file: string, step: string, error: unknown): string {
  const f = fileFlag(file);
  const node = failedNode(error) ?? 'NODE';
  const service = stepService(step);
  const journal = `${service ? `its ${service}` : "its agents'"} journal:`;
  const shell = 'a shell on the node:';
  const width = Math.max(shell.length, journal.length);
  return [
    `up stopped at step "${step}"; the machines are kept for inspection:`,
    `  ${shell.padEnd(width)}  nomad-lab ssh${f} ${node}`,
    `  ${journal.padEnd(width)}  nomad-lab ` +
      `logs${f === '' ? '' : ` --file ${file}`} ${node}${service ? ` ${service}` : ''} -n 50`,
    `Run \`nomad-lab up${f}\` again to retry, or \`nomad-lab down${f}\` to destroy them.`,
  ].join('\n');
}

/** The last lines of a successful `up`: where the UIs are, and what to run next. */
export function upFinishedLines(cluster: Pick<Cluster, 'spec'>, file: string): string[] {
  const urls = labUrls(cluster);
  const f = fileFlag(file);
  return [
    `Nomad UI:  ${urls.nomadUi}`,
    `Consul UI: ${urls.consulUi}`,
    `next: nomad-lab verify${f}   (and eval "$(nomad-lab env${f})" for your own nomad and consul CLIs)`,
  ];
}
