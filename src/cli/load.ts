import { loadCluster, type Cluster } from '../config/load.ts';
import { formatIssues, type ConfigIssue } from '../errors.ts';
import { printable } from '../text.ts';

/** Loads the cluster file and shows its warnings (on stderr, so --json output stays clean). */
export async function load(file: string): Promise<Cluster> {
  const cluster = await loadCluster(file);
  printWarnings(cluster.warnings);
  return cluster;
}

export function printWarnings(warnings: readonly ConfigIssue[]): void {
  for (const line of formatIssues(warnings)) console.error(printable(line));
}

/** The `-f FILE` to repeat in a suggested command: nothing for the default file. */
export function fileFlag(file: string): string {
  return file === 'cluster.yaml' ? '' : ` -f ${file}`;
}
