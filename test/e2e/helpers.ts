import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import type { ClusterSpec } from '../../src/config/schema.ts';
import { verifyCluster, type VerifyOptions, type VerifyReport } from '../../src/verify/index.ts';
import { checkPrerequisites } from '../../src/host/prerequisites.ts';

/** The built CLI, run as a user runs it. */
export const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('node', ['bin/nomad-lab.js', ...args], { reject: false, env, all: true });

/** The end-to-end suite fails, never skips, on a host that is not prepared. */
export async function requirePreparedHost(): Promise<void> {
  const missing = (await checkPrerequisites()).filter((s) => s.required && !s.ok);
  if (missing.length > 0) {
    throw new Error(
      `the end-to-end suite needs a prepared host; ` +
        `missing: ${missing.map((m) => `${m.name} (${m.detail}; fix: ${m.fix})`).join(', ')}`,
    );
  }
}

/**
 * The default lab (cluster.yaml and its jobs) in a folder of its own, under its own name and subnet: a lab a person has
 * up is left alone.
 */
export async function defaultLabCopy(lab: string, subnet: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${lab}-`));
  await cp('jobs', join(dir, 'jobs'), { recursive: true });
  const text = (await readFile('cluster.yaml', 'utf8'))
    .replace('name: nomad-lab', `name: ${lab}`)
    .replaceAll('10.77.0', subnet);
  const file = join(dir, 'cluster.yaml');
  await writeFile(file, text);
  return file;
}

/**
 * The default lab copied under its own name and subnet and brought up by the CLI, on a prepared host; throws with up's
 * output when it fails.
 */
export async function defaultLabUp(lab: string, subnet: string): Promise<{ file: string; cluster: Cluster }> {
  await requirePreparedHost();
  const file = await defaultLabCopy(lab, subnet);
  const cluster = await loadCluster(file);
  const up = await cli(['up', '-f', file]);
  if (up.exitCode !== 0) throw new Error(`nomad-lab up failed:\n${up.all}`);
  return { file, cluster };
}

/**
 * Polls the library's verify until it passes or `ms` run out, for a change made behind nomad-lab's back that Nomad
 * repairs itself. Not after an `up`: up's last step waits for verify to pass, so verify is asked once there.
 */
export async function verifiedWithin(
  spec: ClusterSpec,
  ms: number,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const deadline = Date.now() + ms;
  for (;;) {
    const report = await verifyCluster(spec, options);
    if (report.ok || Date.now() > deadline) return report;
    await sleep(2000);
  }
}

export const failures = (report: VerifyReport) => report.results.filter((r) => !r.ok).map((r) => r.message);
