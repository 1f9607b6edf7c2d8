import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { execa } from 'execa';
import { CommandError, NomadLabError, tail } from '../errors.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { Product } from './products.ts';

/**
 * How one pinned release is built from the Go module proxy: `hashicorp/<product>/build.json`
 * beside the wrapper module's go.mod and go.sum, which carry the release's replace lines.
 */
const recipeSchema = z.strictObject({
  version: z.string(),
  package: z.string(),
  env: z.record(z.string(), z.string()).default({}),
  tags: z.array(z.string()).default([]),
  ldflags: z.string().default(''),
});
export type BuildRecipe = z.infer<typeof recipeSchema>;

export function wrapperDir(product: Product): string {
  return join(PACKAGE_ROOT, 'hashicorp', product);
}

export async function readRecipe(product: Product): Promise<BuildRecipe> {
  const file = join(wrapperDir(product), 'build.json');
  return recipeSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/** The `go build` arguments for a recipe (pure, so tests can read them). */
export function goBuildArgs(recipe: BuildRecipe, output: string): string[] {
  return [
    'build',
    '-v',
    '-trimpath',
    ...(recipe.tags.length > 0 ? ['-tags', recipe.tags.join(',')] : []),
    ...(recipe.ldflags ? ['-ldflags', recipe.ldflags] : []),
    '-o',
    output,
    recipe.package,
  ];
}

/** Builds the pinned release into `output`; `onLine` sees each package Go compiles. */
export async function buildFromSource(
  product: Product,
  version: string,
  output: string,
  onLine?: (line: string) => void,
): Promise<void> {
  const recipe = await readRecipe(product);
  if (recipe.version !== version) {
    throw new NomadLabError(
      `building ${product} from source ` +
        `knows ${product} ${recipe.version} only (hashicorp/${product}/build.json), not ${version}: ` +
        `set versions.${product} to ${recipe.version}, or use artifacts.source "release" or "directory"`,
    );
  }
  await runGo(goBuildArgs(recipe, output), wrapperDir(product), { GOFLAGS: '-mod=readonly', ...recipe.env }, onLine);
}

/** `go ARGS` in `cwd` with the local toolchain only; `onLine` sees each line Go prints. */
export async function runGo(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<void> {
  await runHostTool('go', args, cwd, { GOTOOLCHAIN: 'local', ...env }, onLine);
}

/** A build tool on this host (go, tar); a failure is a CommandError with its output's tail. */
export async function runHostTool(
  tool: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<void> {
  const child = execa(tool, args, { cwd, env, reject: false, all: true });
  if (onLine) child.all?.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(onLine));
  const result = await child;
  if (result.failed) {
    const hint = result.exitCode === undefined ? `is ${tool} installed? \`nomad-lab doctor\` says` : undefined;
    throw new CommandError('host', result.escapedCommand, result.exitCode, tail(String(result.all ?? result.stderr)), {
      cause: result,
      ...(hint ? { hint } : {}),
    });
  }
}
