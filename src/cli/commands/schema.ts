import type { Command } from '@commander-js/extra-typings';
import { renderJsonSchema } from '../../config/json-schema.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(
      "print cluster.yaml's JSON Schema (generated from the loader's schema; the package ships it as " +
        'schema/cluster.schema.json)',
    )
    .action(() => {
      process.stdout.write(renderJsonSchema());
    });
}
