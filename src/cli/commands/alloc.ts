import { constants } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { allocStatus, jobLogTargets, readJobLogs } from '../../nomad/alloc.ts';
import { openLabNomad } from '../../nomad/lab-nomad.ts';
import { printable } from '../../text.ts';
import { formatAllocStatus } from '../format.ts';
import { forwardSignals } from '../interrupt.ts';
import { load } from '../load.ts';
import { fileOption, pathArgument } from '../options.ts';

// `nomad-lab alloc status JOB` and `nomad-lab alloc logs JOB [TASK]`, named as `nomad alloc ...` is, through
// Nomad's HTTP API of the first server that answers (from here, or through its SSH session).

export function registerAlloc(program: Command): void {
  const alloc = program
    .command('alloc')
    .description("a job's allocations, as `nomad alloc status` and `nomad alloc logs` show them");

  alloc
    .command('status')
    .description(
      'each allocation of JOB, newest first: its group, node, lab address, ports, desired and client status, and ' +
        "each task's last event; then why allocations could not be placed, in Nomad's words",
    )
    .argument('<job>', 'a Nomad job ID')
    .option(...fileOption)
    .option('--json', 'print JSON')
    .action(async (job, { file, json }) => {
      const cluster = await load(file);
      const api = await openLabNomad(cluster);
      const status = await allocStatus(api, job, cluster.spec.nodes).finally(() => api.close());
      console.log(printable(json ? JSON.stringify(status, null, 2) : formatAllocStatus(status)));
    });

  alloc
    .command('logs')
    .description(
      "a task's stdout (or stderr) in each allocation of JOB that is to run: under a header per allocation, or " +
        'with -f each line labelled [ID NODE] as it comes, until Ctrl-C',
    )
    .argument('<job>', 'a Nomad job ID')
    .argument('[task]', "the task; may be left out when the allocation's group has one")
    .option('-f, --follow', 'keep printing what the task writes until Ctrl-C')
    .option('--stderr', "the task's stderr instead of its stdout")
    .option('--alloc <id>', 'only the allocation whose ID starts with this, whatever its status')
    .option('--file <file>', 'cluster file', pathArgument, 'cluster.yaml')
    .action(async (job, task, { follow = false, stderr = false, alloc: allocId, file }) => {
      const cluster = await load(file);
      const api = await openLabNomad(cluster);
      const abort = new AbortController();
      let received: NodeJS.Signals | undefined;
      // Ctrl-C ends the reading (and a second one nomad-lab, as ever); the sessions are closed, then exit 130.
      forwardSignals((signal) => {
        received = signal;
        forwardSignals(undefined);
        abort.abort();
      });
      // A reader that went away (`| head`) ends the reading too.
      const stop = () => abort.abort();
      process.stdout.once('error', stop);
      try {
        const targets = await jobLogTargets(api, job, {
          ...(task === undefined ? {} : { task }),
          ...(allocId === undefined ? {} : { alloc: allocId }),
        });
        const failures = await readJobLogs(api, targets, {
          type: stderr ? 'stderr' : 'stdout',
          follow,
          signal: abort.signal,
          write: (text) => process.stdout.write(printable(text)),
          onError: (error) => console.error(printable(error.message)),
        });
        if (failures > 0) process.exitCode = 1;
      } finally {
        process.stdout.removeListener('error', stop);
        forwardSignals(undefined);
        await api.close();
      }
      if (received !== undefined) process.exitCode = 128 + constants.signals[received];
    });
}
