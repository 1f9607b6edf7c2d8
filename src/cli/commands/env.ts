import { access } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { artifactPath, nodePlatform, PRODUCTS, type Product } from '../../artifacts/products.ts';
import { NomadLabError } from '../../errors.ts';
import { cacheDir } from '../../host/dirs.ts';
import { labEnv, labTokenEnv, renderEnv } from '../../lab-access.ts';
import { fileFlag, load } from '../load.ts';
import { fileOption, pathArgument } from '../options.ts';
import { runInherited } from '../spawn.ts';

export function registerEnv(program: Command): void {
  program
    .command('env')
    .description('NOMAD_ADDR and CONSUL_HTTP_ADDR of the lab\'s leaders, for eval "$(nomad-lab env)"')
    .option(...fileOption)
    .option('--json', 'print JSON')
    .action(async ({ file, json }) => {
      const env = await labEnv(await load(file));
      console.log(json ? JSON.stringify(env, null, 2) : renderEnv(env));
    });

  for (const product of PRODUCTS) {
    program
      .command(product)
      .description(
        `run the lab's own ${product} binary (the pinned version, from the cache) against the lab: ${product} ARGS...`,
      )
      .argument('[args...]', `${product}'s own arguments`)
      .option('-f, --file <file>', 'cluster file (only before the arguments)', pathArgument, 'cluster.yaml')
      .helpOption(false)
      .allowUnknownOption()
      .passThroughOptions()
      .action(async (args, { file }) => {
        const cluster = await load(file);
        const binary = await cachedBinary(product, cluster.spec.versions[product], file);
        const env = await labEnv(cluster);
        process.exitCode = await runInherited(binary, args, {
          ...process.env,
          ...env,
          ...(await labTokenEnv(cluster)),
        });
      });
  }
}

async function cachedBinary(product: Product, version: string, file: string): Promise<string> {
  // Nodes and host share the platform: the lab runs on this machine's architecture.
  const path = artifactPath(cacheDir(), product, version, nodePlatform());
  try {
    await access(path);
  } catch (cause) {
    throw new NomadLabError(
      `${product} ${version} is not in the cache (${path}): run \`nomad-lab artifacts fetch${fileFlag(file)}\` first`,
      { cause },
    );
  }
  return path;
}
