import { writeFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { stringify } from 'yaml';
import { loadCluster } from '../config/load.ts';
import { containerImage, preloadedPackages } from '../config/machines.ts';
import type { Artifact } from '../artifacts/fetch.ts';
import type { LabelledImage } from '../images/old-images.ts';
import type { AnyStep } from '../pipeline/step.ts';
import { plainOutput } from './output.ts';
import { boundedIssues, ConfigError, NomadLabError } from '../errors.ts';
import { printable } from '../text.ts';
import { plural } from '../verify/describe.ts';
import { planCluster } from '../plan/plan.ts';
import { formatLivePlan, formatPlan, formatStatus, summarize } from './format.ts';
import { renderJson, renderJunit, renderTable, verifyCluster } from '../verify/index.ts';
import { cacheDir, knownHostsFile } from '../host/dirs.ts';
import { installInterruptHandlers, interruptContext, onInterrupt } from './interrupt.ts';
import { load } from './load.ts';
import { boundedOutput, fileOption } from './options.ts';
import { labVerifyOptions } from '../lab-access.ts';
import { upFailureHint, upFinishedLines, versionText } from './hints.ts';
import { registerInit } from './commands/init.ts';
import { registerSchema } from './commands/schema.ts';
import { registerLogs, registerSsh } from './commands/ssh.ts';
import { registerEnv } from './commands/env.ts';
import { registerRegistry } from './commands/registry.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerAlloc } from './commands/alloc.ts';

// The only module that prints or exits.

// What needs ssh2, listr2 or execa loads only for the commands that use it: `validate` and `verify` start fast.
const liveModule = () => import('../plan/live-plan.ts');
const tasks = () => import('./tasks.ts');
const fetchModule = () => import('../artifacts/fetch.ts');
const knownHosts = () => import('../remote/known-hosts.ts');
const upModule = () => import('../up.ts');
const runner = () => import('../pipeline/runner.ts');
const statusModule = () => import('../status.ts');
const reachModule = () => import('../lab-reach.ts');
const downModule = () => import('../down.ts');
const resetModule = () => import('../reset.ts');
const prerequisites = () => import('../host/prerequisites.ts');
const prepare = () => import('../host/prepare.ts');
const jobImagesModule = () => import('../images/job-images.ts');
const nodeImageModule = () => import('../images/node-image.ts');
const oldImages = () => import('../images/old-images.ts');

const program = new Command()
  .name('nomad-lab')
  .description(
    'One cluster.yaml to a working HashiCorp lab: Vagrant machines, Docker, Consul and Nomad, jobs, ' +
      'DNS-verified services.',
  )
  .version(
    versionText(),
    '-V, --version',
    "nomad-lab's version and the Consul and Nomad versions it installs by default",
  )
  .enablePositionalOptions()
  .configureOutput({ writeErr: (text) => process.stderr.write(boundedOutput(text)) })
  .showHelpAfterError();

program
  .command('validate')
  .description('check a cluster file and report every problem with file:line:col (exit 0 when it is usable)')
  .option(...fileOption)
  .option('--json', 'print {file, valid, summary, issues} as JSON')
  .action(async ({ file, json }) => {
    if (!json) {
      const cluster = await load(file);
      say(`${file}: valid: ${summarize(cluster)}`);
      return;
    }
    try {
      const cluster = await loadCluster(file);
      say(
        JSON.stringify({ file, valid: true, summary: summarize(cluster), ...boundedIssues(cluster.warnings) }, null, 2),
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      say(JSON.stringify({ file, valid: false, ...boundedIssues(error.issues) }, null, 2));
      process.exitCode = 1;
    }
  });

program
  .command('config')
  .description('print the cluster file with every default filled in')
  .option(...fileOption)
  .option('--json', 'print JSON instead of YAML')
  .action(async ({ file, json }) => {
    const cluster = await load(file);
    process.stdout.write(printable(json ? `${JSON.stringify(cluster.spec, null, 2)}\n` : stringify(cluster.spec)));
  });

program
  .command('plan')
  .description(
    'what `up` would change, node by node, without changing anything: read from the running lab (file diffs, ' +
      'restarts, jobs), or from the file alone when its machines are not running',
  )
  .option(...fileOption)
  .option('--json', 'print the plan as JSON')
  .option('--detailed-exitcode', 'exit 2 when there are changes (0: none, 1: an error)')
  .action(async ({ file, json, detailedExitcode }) => {
    const { planLab } = await liveModule();
    const cluster = await load(file);
    const live = await planLab(cluster);
    if (!live.live) {
      const plan = planCluster(cluster);
      if (json) say(JSON.stringify({ live: false, why: live.why, ...plan }, null, 2));
      else say(`${formatPlan(plan)}\n\nplan: from the file alone (${live.why.split('\n', 1)[0]})`);
      if (detailedExitcode) process.exitCode = 2;
      return;
    }
    say(json ? JSON.stringify(live, null, 2) : formatLivePlan(live.changes));
    if (detailedExitcode && live.changes.length > 0) process.exitCode = 2;
  });

program
  .command('doctor')
  .description("check the host's prerequisites for a local lab (exit 1 when a required one is missing)")
  .option('--json', 'print the prerequisites and old images as JSON')
  .action(async ({ json }) => {
    const { currentRecipeHashes, findOldImages } = await oldImages();
    const { checkPrerequisites } = await prerequisites();
    const statuses = await checkPrerequisites();
    if (json) {
      const old = await findOldImages(await currentRecipeHashes()).catch(() => []);
      say(
        JSON.stringify(
          { ok: statuses.every((s) => s.ok || !s.required), prerequisites: statuses, oldImages: old },
          null,
          2,
        ),
      );
      process.exitCode = statuses.some((s) => s.required && !s.ok) ? 1 : 0;
      return;
    }
    const width = Math.max(...statuses.map((s) => s.name.length));
    for (const s of statuses) {
      const mark = s.ok ? 'ok     ' : s.required ? 'MISSING' : 'absent ';
      say(
        `${mark}  ${s.name.padEnd(width)}  ${s.detail}${s.ok ? '' : `\n         ${' '.repeat(width)}  fix: ${s.fix}`}`,
      );
    }
    const old = await findOldImages(await currentRecipeHashes()).catch(() => []);
    if (old.length > 0)
      say(
        `\nold images: ${countImages(old)}, earlier builds of recipes that have changed and no container uses; ` +
          `\`nomad-lab image build\` removes them`,
      );
    const missing = statuses.filter((s) => s.required && !s.ok);
    if (missing.length > 0) {
      sayError(
        `\n${missing.length} required ` +
          `prerequisite${missing.length === 1 ? ' is' : 's are'} missing: ${missing.map((s) => s.name).join(', ')}`,
      );
      process.exitCode = 1;
    }
  });

program
  .command('up')
  .description('boot the machines and install and configure Docker, Consul and Nomad; a second run changes nothing')
  .option(...fileOption)
  .option('--concurrency <n>', 'nodes worked on at once within a step', (v) => positiveInt(v, '--concurrency'))
  .option(
    '--json',
    'print what changed as JSON ({changes: [{step, node, description, reason}], seconds}); progress on ' + 'stderr',
  )
  .action(async ({ file, concurrency, json }) => {
    const { StepError } = await runner();
    const { listrReporter, lineReporter } = await tasks();
    const { UP_STEPS, up, UpInterruptedError } = await upModule();
    const cluster = await load(file);
    const started = Date.now();
    let current = '';
    const listr = json ? lineReporter((line) => process.stderr.write(`${printable(line)}\n`)) : listrReporter(UP_STEPS);
    const reporter = {
      ...listr,
      onStart: (step: AnyStep) => {
        current = step.name;
        interruptContext(`up, at step "${current}"`);
        listr.onStart(step);
      },
    };
    const stop = new AbortController();
    const running = up(cluster, {
      reporter,
      signal: stop.signal,
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    const forget = onInterrupt(() => {
      stop.abort();
      return running.then(
        () => {},
        () => {},
      );
    });
    let report: Awaited<typeof running>;
    try {
      report = await running;
    } catch (error) {
      await listr.finished(error);
      // The interrupt handler says so and exits 130 once up has closed the sessions and released the lock.
      if (error instanceof UpInterruptedError) {
        process.exitCode = 130;
        return;
      }
      // Refused before any step (a busy lab): nothing to inspect.
      if (current === '') throw error;
      const hint = upFailureHint(cluster, file, error instanceof StepError ? error.step : current, error);
      throw new NomadLabError(`${(error as Error).message}\n\n${hint}`, { cause: error });
    } finally {
      forget();
    }
    await listr.finished();
    const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
    if (json) {
      say(JSON.stringify({ changes: report.changes, seconds }, null, 2));
      return;
    }
    for (const change of report.changes) say(`${change.node}: ${change.description}`);
    const count = report.changes.length;
    const what = count === 0 ? '0 changes, the cluster was already as cluster.yaml says' : plural(count, 'change');
    say(`up: ${what} (${seconds.toFixed(1)} s)`);
    for (const line of upFinishedLines(cluster, file)) say(line);
  });

program
  .command('down')
  .description(
    "destroy the lab's machines, networks and state; existing hosts are kept and cleaned of the lab (running it " +
      'twice is fine)',
  )
  .option(...fileOption)
  .action(async ({ file }) => {
    const { down } = await downModule();
    const { runTasks } = await tasks();
    const cluster = await loadCluster(file);
    const existing = cluster.spec.provider.type === 'ssh';
    let removed: string[] = [];
    await runTasks(
      [
        {
          title: existing ? `remove ${cluster.spec.name} from its hosts` : `destroy ${cluster.spec.name}`,
          task: async (_: unknown, task: { output: string }) => {
            removed = await down(cluster, { onProgress: outputTo(task) });
          },
        },
      ],
      {},
    );
    for (const line of removed) say(line);
    say(
      existing
        ? `down: ${cluster.spec.name} is gone from its hosts; the hosts keep running`
        : `down: ${cluster.spec.name} is gone`,
    );
  });

program
  .command('verify')
  .description(
    'prove the cluster and the services: agents, members, leaders, clients; ' +
      "SRV records from every node's Consul DNS, ports answering, Consul checks passing; " +
      "the file's dns lookups (A, SRV) from every node's Consul DNS; " +
      'from this host or through SSH (verify.via)',
  )
  .option(...fileOption)
  .option('--json', 'print the report as JSON')
  .option('--junit <file>', 'also write a JUnit XML report to FILE')
  .action(async ({ file, json, junit }) => {
    const cluster = await load(file);
    const { labReach } = await reachModule();
    const { reach, close } = await labReach(cluster);
    const report = await verifyCluster(cluster.spec, { ...(await labVerifyOptions(cluster)), reach }).finally(close);
    if (junit) await writeFile(junit, renderJunit(report, { suiteName: `nomad-lab verify ${cluster.spec.name}` }));
    say(json ? renderJson(report) : renderTable(report, { ascii: plainOutput() }));
    if (cluster.spec.services.length === 0 && cluster.spec.dns.length === 0) {
      sayError(`${file}: no services listed under "services" and no lookups under "dns": nothing to verify`);
    }
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('status')
  .description('machines, Consul members, Nomad servers and clients, jobs and allocations, in one view')
  .option(...fileOption)
  .option('--json', 'print JSON')
  .action(async ({ file, json }) => {
    const { labStatus } = await statusModule();
    const cluster = await loadCluster(file);
    const status = await labStatus(cluster);
    say(json ? JSON.stringify(status, null, 2) : formatStatus(status));
  });

program
  .command('reset')
  .description('between episodes: stop and purge every job and collect garbage; machines and cluster are kept')
  .option(...fileOption)
  .action(async ({ file }) => {
    const { resetLab } = await resetModule();
    const { runTasks } = await tasks();
    const cluster = await loadCluster(file);
    let removed: string[] = [];
    await runTasks(
      [
        {
          title: `reset ${cluster.spec.name}`,
          task: async (_: unknown, task: { output: string }) => {
            removed = await resetLab(cluster, outputTo(task));
          },
        },
      ],
      {},
    );
    const stopped = removed.length === 0 ? 'no jobs were running' : `stopped and purged ${removed.join(', ')}`;
    say(`reset: ${stopped}; machines kept`);
  });

program
  .command('forget-host-key')
  .description(
    'forget the pinned SSH host keys of nodes that were re-created on purpose; the next contact pins their new keys',
  )
  .argument('<nodes...>', 'node names from the cluster file')
  .option(...fileOption)
  .action(async (nodes, { file }) => {
    const { forgetHostKeys } = await knownHosts();
    const cluster = await load(file);
    const known = new Set(cluster.spec.nodes.map((n) => n.name));
    const unknown = nodes.filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw new NomadLabError(`${file} has no node ${unknown.join(', ')}; its nodes: ${[...known].join(', ')}`);
    const removed = await forgetHostKeys(knownHostsFile(cluster), nodes);
    const named = nodes.join(', ');
    const outcome =
      removed === 0 ? `no key was pinned for ${named}` : `forgot ${plural(removed, 'pinned key')} of ${named}`;
    say(`forget-host-key: ${outcome}; the next contact pins the new ones`);
  });

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${option} takes a whole number of at least 1, not "${value}"`);
  return n;
}

const host = program.command('host').description('the machine nomad-lab runs on');

host
  .command('prepare')
  .description("install the host's needs from Debian's packages and start dockerd (idempotent, unattended)")
  .action(async () => {
    const { prepareHost } = await prepare();
    const report = await prepareHost({ onProgress: (line) => say(`host: ${line}`) });
    say(
      report.changes.length === 0
        ? 'host: already prepared, nothing changed'
        : `host: prepared (${report.changes.join('; ')})`,
    );
  });

const image = program.command('image').description('machine and job images for the local lab');

image
  .command('build')
  .description(
    'build the node image (Vagrant docker backend) and the job images the cluster file asks for; only what changed',
  )
  .option(...fileOption)
  .option(
    '--recipe <recipe>',
    'node image recipe: debootstrap (offline) or dockerfile (needs a registry)',
    'debootstrap',
  )
  .option(
    '--suite <suite>',
    "the node image's Debian suite: bookworm, or trixie (Debian 13, tagged <image>:trixie-<hash>) to try " +
      'existing hosts of Debian 13',
    'bookworm',
  )
  .action(async ({ file, recipe, suite }) => {
    const { ensureJobImage, jobImageRecipes, removeOldTarballs } = await jobImagesModule();
    const { ensureNodeImage, NODE_SUITES, nodeRecipeName } = await nodeImageModule();
    const { removeOldImages } = await oldImages();
    const { runTasks } = await tasks();
    if (recipe !== 'debootstrap' && recipe !== 'dockerfile')
      throw new NomadLabError(`--recipe must be "debootstrap" or "dockerfile", not "${recipe}"`);
    const nodeSuite = NODE_SUITES.find((s) => s === suite);
    if (nodeSuite === undefined)
      throw new NomadLabError(`--suite must be ${NODE_SUITES.map((s) => `"${s}"`).join(' or ')}, not "${suite}"`);
    const cluster = await load(file);
    const nodeImage = containerImage(cluster.spec);
    const recipes = jobImageRecipes(cluster.spec);
    const lines: string[] = [];
    // The hash each recipe built here has now: older images of these recipes are removed after.
    const current = new Map<string, string>();
    await runTasks(
      [
        ...(nodeImage !== undefined
          ? [
              {
                title: `node image ${nodeImage}`,
                task: async (_: unknown, task: { title: string; output: string }) => {
                  const result = await ensureNodeImage({
                    name: nodeImage,
                    recipe,
                    suite: nodeSuite,
                    preload: preloadedPackages(cluster.spec),
                    onProgress: outputTo(task),
                  });
                  current.set(nodeRecipeName(nodeSuite), result.hash);
                  task.title = `node image ${result.tag}: ${result.built ? 'built' : 'up to date'}`;
                  lines.push(`${result.tag} (${mebibytes(result.size)}${result.built ? ', built' : ''})`);
                },
              },
            ]
          : []),
        ...recipes.map((name) => ({
          title: `job image ${name}`,
          task: async (_: unknown, task: { title: string; output: string }) => {
            const result = await ensureJobImage(name, cacheDir(), outputTo(task));
            current.set(name, result.hash);
            task.title = `job image ${result.tag}: ${result.built ? 'built' : 'up to date'}`;
            lines.push(`${result.tag} ${result.tarball}${result.built ? ' (built)' : ''}`);
            for (const path of await removeOldTarballs(cacheDir(), name, result.hash))
              lines.push(`removed ${path}: an earlier build of the ${name} recipe`);
          },
        })),
        {
          title: 'old images',
          task: async (_: unknown, task: { title: string }) => {
            const removed = await removeOldImages(current);
            task.title =
              removed.images.length === 0 ? 'old images: none' : `old images: removed ${countImages(removed.images)}`;
            for (const image of removed.images)
              lines.push(
                `removed ${describeImage(image)}: an earlier build of the ${image.recipe} recipe, no container uses it`,
              );
            for (const { image, reason } of removed.kept) lines.push(`kept ${describeImage(image)}: ${reason}`);
          },
        },
      ],
      {},
    );
    for (const line of lines) say(line);
  });

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function describeImage(image: LabelledImage): string {
  return `${image.tags.join(', ') || image.id} (${mebibytes(image.size)})`;
}

function countImages(images: readonly LabelledImage[]): string {
  return `${plural(images.length, 'image')}, ${mebibytes(images.reduce((sum, i) => sum + i.size, 0))}`;
}

const artifacts = program
  .command('artifacts')
  .description('Consul and Nomad binaries, and driver plugins, for the nodes');

artifacts
  .command('fetch')
  .description(
    'put the pinned Consul, Nomad and plugins into the cache: from the release archives, a folder, or a source build',
  )
  .option(...fileOption)
  .action(async ({ file }) => {
    const { ensureArtifact } = await fetchModule();
    const { runTasks } = await tasks();
    const cluster = await load(file);
    const { artifactRequest, wantedArtifacts } = await import('../steps/fetch-binaries.ts');
    const fetched: Artifact[] = [];
    await runTasks(
      wantedArtifacts(cluster).map((product) => ({
        title: product,
        task: async (_, task) => {
          const artifact = await ensureArtifact({
            ...(await artifactRequest(cluster, product)),
            onProgress: throttled(outputTo(task)),
          });
          fetched.push(artifact);
          const from = artifact.from === 'cache' ? 'already cached' : `from ${artifact.from}`;
          task.title = `${product} ${artifact.version}: ${from}`;
        },
      })),
      {},
    );
    for (const a of fetched) {
      const sha = a.sha256.slice(0, 12);
      say(`${a.product} ${a.version} ${a.platform} ${a.path} (${mebibytes(a.size)}, sha256 ${sha}, ${a.from})`);
    }
  });

/** Go prints a line per package; pass on the others and every 50th of those. */
function throttled(show: (line: string) => void): (line: string) => void {
  let packages = 0;
  return (line) => {
    if (!line.startsWith('go: ')) return show(line);
    if (++packages % 50 === 0) show(`go: ${packages} packages compiled (last: ${line.slice(4)})`);
  };
}

// Every line goes out through these: control characters from a cluster file, a node or a
// command's output are escaped, so none can drive the terminal. JSON stays valid JSON.
function say(text: string): void {
  console.log(printable(text));
}

function sayError(text: string): void {
  console.error(printable(text));
}

/** A progress callback that shows each line as a task's output. */
function outputTo(task: { output: string }): (line: string) => void {
  return (line) => {
    task.output = printable(line);
  };
}

registerInit(program);
registerSsh(program);
registerLogs(program);
registerAlloc(program);
registerEnv(program);
registerRegistry(program);
registerSchema(program);
registerCompletion(program);

installInterruptHandlers();
try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof NomadLabError) {
    sayError(error.message);
    process.exitCode = 1;
  } else {
    sayError('nomad-lab: internal error (please report it):');
    sayError(inspect(error));
    process.exitCode = 70;
  }
}
