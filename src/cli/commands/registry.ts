import type { Command } from '@commander-js/extra-typings';
import { registryAccess, renderRegistryAccess } from '../../registry-access.ts';
import { load } from '../load.ts';
import { fileOption } from '../options.ts';

export function registerRegistry(program: Command): void {
  program
    .command('registry')
    .description("the lab registry's address, user and CA; its password only with --password")
    .option(...fileOption)
    .option('--password', 'print the password alone, for -var or docker login --password-stdin')
    .action(async ({ file, password }) => {
      const access = await registryAccess(await load(file));
      console.log(password ? access.password : renderRegistryAccess(access, file));
    });
}
