import { constants, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { parse } from 'yaml';
import { JSON_SCHEMA_FILE } from './config/json-schema.ts';
import { NomadLabError } from './errors.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/** The starter labs `init` writes: the default lab, or one of the package's examples. */
export const STARTERS = {
  default: 'cluster.yaml',
  dev: 'examples/dev.yaml',
  'dev-mode': 'examples/dev-mode.yaml',
  'container-mode': 'examples/container-mode.yaml',
  ha: 'examples/ha.yaml',
  'existing-hosts': 'examples/existing-hosts.yaml',
} as const;
export type Starter = keyof typeof STARTERS;

export const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*$/m;

/** The examples' `files: { allow_from: [../jobs] }` and the comment above it. */
const ALLOW_PACKAGE_JOBS = /^(#[^\n]*\n)?files: \{ allow_from: \[\.\.\/jobs\] \}\n/m;

export interface StarterFiles {
  /** cluster.yaml's text, its job paths relative to the folder it is written to. */
  clusterYaml: string;
  /** Job files to copy: path inside the package → path inside the new folder. */
  jobs: { from: string; to: string }[];
}

/**
 * A starter's cluster.yaml for a folder of its own: `../jobs/x` becomes `jobs/x`, and the
 * editor's schema line names `schemaPath` (the installed package's schema).
 */
export function starterFiles(source: string, text: string, schemaPath: string): StarterFiles {
  const sourceDir = dirname(source);
  const spec = (parse(text) ?? {}) as { jobs?: { file?: unknown }[] };
  const jobs: StarterFiles['jobs'] = [];
  let clusterYaml = text.replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schemaPath}`);
  for (const job of spec.jobs ?? []) {
    if (typeof job.file !== 'string') continue;
    const from = normalize(join(sourceDir, job.file));
    const to = join('jobs', from.split('/').at(-1)!);
    jobs.push({ from, to });
    if (job.file !== to) clusterYaml = clusterYaml.replaceAll(`file: ${job.file}`, `file: ${to}`);
  }
  // The jobs are copied beside it, so the example's opt-in to the package's jobs folder goes.
  clusterYaml = clusterYaml.replace(ALLOW_PACKAGE_JOBS, '');
  return { clusterYaml, jobs };
}

export interface InitResult {
  /** Files written, relative to the folder. */
  written: string[];
}

/**
 * Writes a starter lab (cluster.yaml and its jobs) into `dir`; refuses to overwrite anything, or to follow a symlink
 * out of `dir`.
 */
export async function initLab(
  dir: string,
  starter: Starter = 'default',
  packageRoot = PACKAGE_ROOT,
): Promise<InitResult> {
  const source = STARTERS[starter];
  const files = starterFiles(
    source,
    await readFile(join(packageRoot, source), 'utf8'),
    join(packageRoot, JSON_SCHEMA_FILE),
  );
  const targets = ['cluster.yaml', ...files.jobs.map((j) => j.to)];
  // lstat: a symlink counts as there, dangling or not, so none is written through.
  const existing = (
    await Promise.all(targets.map(async (t) => ((await lstatOf(join(dir, t))) ? t : undefined)))
  ).filter((t) => t !== undefined);
  if (existing.length > 0) {
    throw new NomadLabError(
      `init: ${dir} already ` +
        `has ${existing.join(', ')}; init writes only into a folder without them (nothing ` +
        `was written)`,
    );
  }
  const jobsDir = await lstatOf(join(dir, 'jobs'));
  if (jobsDir && !jobsDir.isDirectory()) {
    throw new NomadLabError(
      `init: ${join(dir, 'jobs')} is ${jobsDir.isSymbolicLink() ? 'a symlink' : 'not a folder'}; init writes ` +
        `jobs only into a folder of its own (nothing was written)`,
    );
  }
  await mkdir(join(dir, 'jobs'), { recursive: true });
  // Exclusive: a file or symlink that appeared since the check is not written through either.
  await writeFile(join(dir, 'cluster.yaml'), files.clusterYaml, { flag: 'wx' });
  for (const job of files.jobs) await copyFile(join(packageRoot, job.from), join(dir, job.to), constants.COPYFILE_EXCL);
  return { written: targets };
}

async function lstatOf(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}
