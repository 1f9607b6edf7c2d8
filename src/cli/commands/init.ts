import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { initLab, STARTERS, type Starter } from '../../init.ts';
import { loadCluster } from '../../config/load.ts';
import { summarize } from '../format.ts';
import { pathArgument } from '../options.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'write a starter cluster.yaml and its jobs into a folder (the current one by default); overwrites nothing',
    )
    .addOption(
      new Option('--example <name>', 'the default lab, or an example')
        .choices(Object.keys(STARTERS) as Starter[])
        .default('default'),
    )
    .option('--dir <dir>', 'the folder to write into', pathArgument, '.')
    .action(async ({ example, dir }) => {
      const { written } = await initLab(resolve(dir), example);
      const cluster = await loadCluster(resolve(dir, 'cluster.yaml'));
      for (const file of written) console.log(`wrote ${file}`);
      console.log(`init: ${summarize(cluster)}`);
      console.log('next: nomad-lab validate, nomad-lab up, nomad-lab verify');
    });
}
