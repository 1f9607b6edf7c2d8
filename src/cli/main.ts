import { Command } from '@commander-js/extra-typings';
import { stringify } from 'yaml';
import { loadCluster } from '../config/load.ts';
import { formatIssue, NomadLabError } from '../errors.ts';
import { planCluster } from '../plan/plan.ts';
import { formatPlan, summarize } from './format.ts';

// The only module that prints or exits.

const program = new Command()
  .name('nomad-lab')
  .description('One cluster.yaml to a working HashiCorp lab: Vagrant machines, Docker, Consul and Nomad, jobs, DNS-verified services.')
  .showHelpAfterError();

const fileOption = ['-f, --file <file>', 'cluster file', 'cluster.yaml'] as const;

program
  .command('validate')
  .description('check a cluster file and report every problem with file:line:col (exit 0 when it is usable)')
  .option(...fileOption)
  .action(async ({ file }) => {
    const cluster = await loadCluster(file);
    printWarnings(cluster.warnings);
    console.log(`${file}: valid: ${summarize(cluster)}`);
  });

program
  .command('config')
  .description('print the cluster file with every default filled in')
  .option(...fileOption)
  .option('--json', 'print JSON instead of YAML')
  .action(async ({ file, json }) => {
    const cluster = await loadCluster(file);
    printWarnings(cluster.warnings);
    process.stdout.write(json ? `${JSON.stringify(cluster.spec, null, 2)}\n` : stringify(cluster.spec));
  });

program
  .command('plan')
  .description('show what `up` would do, node by node, without touching anything')
  .option(...fileOption)
  .option('--json', 'print the plan as JSON')
  .action(async ({ file, json }) => {
    const cluster = await loadCluster(file);
    printWarnings(cluster.warnings);
    const plan = planCluster(cluster);
    console.log(json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
  });

function printWarnings(warnings: Parameters<typeof formatIssue>[0][]): void {
  for (const warning of warnings) console.error(formatIssue(warning));
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof NomadLabError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    console.error('nomad-lab: internal error (please report it):');
    console.error(error);
    process.exitCode = 70;
  }
}
