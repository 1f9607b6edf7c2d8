import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { NomadLabError } from '../errors.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { sha256File } from './checksum.ts';
import type { Plugin } from './products.ts';
import { download } from './release.ts';
import { runGo, runHostTool } from './source-build.ts';

/**
 * How a pinned plugin release is built: `hashicorp/<plugin>/build.json` names its source archive (a `git archive`
 * of the release tag, which the Go module proxy does not serve), the archive's sha256 and the folder it extracts to.
 */
const recipeSchema = z.strictObject({
  version: z.string(),
  archive: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  dir: z.string(),
  env: z.record(z.string(), z.string()).default({}),
});
export type PluginRecipe = z.infer<typeof recipeSchema>;

export async function readPluginRecipe(plugin: Plugin): Promise<PluginRecipe> {
  const file = join(PACKAGE_ROOT, 'hashicorp', plugin, 'build.json');
  return recipeSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/** A plugin's source archive: a file on this host or an http(s) URL, and the sha256 it must have. */
export interface SourceArchive {
  location: string;
  /** Unset: the recipe's pinned one. */
  sha256?: string | undefined;
}

export const isUrl = (location: string) => /^https?:\/\//.test(location);

/** The `go build` arguments for a plugin's source folder (pure, so tests can read them). */
export function pluginBuildArgs(output: string): string[] {
  return ['build', '-v', '-trimpath', '-o', output, '.'];
}

/** Refuses an archive whose sha256 is not the pinned one, before anything in it is unpacked or run. */
export async function checkArchive(file: string, expected: string, shownAs = file): Promise<void> {
  const actual = await sha256File(file);
  if (actual !== expected)
    throw new NomadLabError(
      `${shownAs} has sha256 ${actual}, not the pinned ${expected}: nothing was built. Point ` +
        'artifacts.podman.archive at the release source archive, or set artifacts.podman.sha256 to the one you trust',
    );
}

/** Checks the plugin's source archive, unpacks it into a scratch folder and builds it into `output` with Go. */
export async function buildPlugin(
  plugin: Plugin,
  version: string,
  archive: SourceArchive | undefined,
  output: string,
  onProgress?: (line: string) => void,
): Promise<void> {
  const recipe = await readPluginRecipe(plugin);
  if (recipe.version !== version)
    throw new NomadLabError(`nomad-lab builds ${plugin} ${recipe.version} only (hashicorp/${plugin}/build.json)`);
  if (!archive)
    throw new NomadLabError(
      `building ${plugin} ${version} needs its source archive ${recipe.archive} (sha256 ${recipe.sha256}): ` +
        'set artifacts.podman.archive in the cluster file to its path or URL',
    );
  if (!isAbsolute(output)) throw new NomadLabError(`the plugin's output path must be absolute, not ${output}`);
  const work = await mkdtemp(join(tmpdir(), `nomad-lab-${plugin}-`));
  try {
    let file = archive.location;
    if (isUrl(file)) {
      onProgress?.(`downloading ${file}`);
      file = join(work, recipe.archive);
      await writeFile(file, await download(archive.location, AbortSignal.timeout(300_000)));
    }
    await checkArchive(file, archive.sha256 ?? recipe.sha256, archive.location);
    // GNU tar (every Debian host has it) rather than a tar library the project would only use here.
    await runHostTool('tar', ['-xzf', file, '-C', work], work, {});
    onProgress?.(`building ${plugin} ${version} from its source archive with Go (minutes on a cold cache)`);
    await runGo(pluginBuildArgs(output), join(work, recipe.dir), recipe.env, (line) => onProgress?.(`go: ${line}`));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
