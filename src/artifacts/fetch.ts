import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NomadLabError } from '../errors.ts';
import { probe } from '../host/run.ts';
import { sha256File } from './checksum.ts';
import { buildPlugin, type SourceArchive } from './plugin-build.ts';
import { isPlugin, nodePlatform, parseVersionOutput, type ArtifactName, type Product } from './products.ts';
import { downloadRelease } from './release.ts';
import { buildFromSource } from './source-build.ts';

export type ArtifactSource = 'auto' | 'release' | 'directory' | 'build';

export interface ArtifactRequest {
  product: ArtifactName;
  version: string;
  source: ArtifactSource;
  /** For source `directory` (and tried first by `auto`): a folder holding `consul` and `nomad`. */
  directory?: string;
  /** For a plugin's source `build`: its source archive (Consul and Nomad build from the Go module proxy). */
  archive?: SourceArchive | undefined;
  cacheDir: string;
  platform?: string;
  onProgress?: (line: string) => void;
}

export interface Artifact {
  product: ArtifactName;
  version: string;
  platform: string;
  path: string;
  sha256: string;
  size: number;
  /** Where it came from this time; `cache` means nothing was fetched. */
  from: 'cache' | 'release' | 'directory' | 'build';
}

interface Meta {
  sha256: string;
  from: Artifact['from'];
  /** The file as it was written: while size and mtime still match, its sha256 is not read again. */
  size?: number;
  mtimeMs?: number;
}

export { artifactPath } from './products.ts';
export { sha256File } from './checksum.ts';
import { artifactPath } from './products.ts';

/** Makes sure the cache holds `product` at `version`, fetching or building it only when it does not. */
export async function ensureArtifact(request: ArtifactRequest): Promise<Artifact> {
  const platform = request.platform ?? nodePlatform();
  const path = artifactPath(request.cacheDir, request.product, request.version, platform);
  const cached = await readCached(path);
  if (cached) return { product: request.product, version: request.version, platform, path, ...cached, from: 'cache' };

  const failures: string[] = [];
  for (const source of sourcesToTry(request)) {
    try {
      const from = await fetchInto(source, request, platform, path);
      const fresh = await readCached(path);
      if (!fresh) throw new NomadLabError(`${path} vanished after it was written`);
      return { product: request.product, version: request.version, platform, path, ...fresh, from };
    } catch (error) {
      if (request.source !== 'auto') throw error;
      failures.push(`${source}: ${(error as Error).message}`);
      request.onProgress?.(`${source} failed, trying the next source`);
    }
  }
  throw new NomadLabError(
    `could not ` +
      `get ${request.product} ${request.version} from any ` +
      `source:\n${failures.map((f) => `  ${f.replace(/\n/g, '\n    ')}`).join('\n')}`,
  );
}

/** The artifact when the cache holds it (checked as `ensureArtifact` checks it); reads only, never fetches. */
export async function cachedArtifact(
  request: Omit<ArtifactRequest, 'source' | 'onProgress'>,
): Promise<Artifact | undefined> {
  const platform = request.platform ?? nodePlatform();
  const path = artifactPath(request.cacheDir, request.product, request.version, platform);
  const cached = await readCached(path);
  return cached && { product: request.product, version: request.version, platform, path, ...cached, from: 'cache' };
}

function sourcesToTry(request: ArtifactRequest): Exclude<ArtifactSource, 'auto'>[] {
  if (request.source !== 'auto') return [request.source];
  return [...(request.directory ? (['directory'] as const) : []), 'release', 'build'];
}

async function fetchInto(
  source: Exclude<ArtifactSource, 'auto'>,
  request: ArtifactRequest,
  platform: string,
  path: string,
): Promise<Artifact['from']> {
  const { product, version } = request;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.partial-${process.pid}`;
  try {
    if (source === 'directory') {
      if (!request.directory) throw new NomadLabError('artifacts.source "directory" needs artifacts.directory');
      request.onProgress?.(`copying ${join(request.directory, product)}`);
      await copyFile(join(request.directory, product), temporary);
    } else if (source === 'release') {
      request.onProgress?.(`downloading ${product} ${version} (${platform}) from the release archives`);
      // `auto` gives up on an unreachable release site quickly and builds instead.
      await writeFile(
        temporary,
        await downloadRelease(product, version, platform, request.source === 'auto' ? { timeoutMs: 20_000 } : {}),
      );
    } else {
      if (platform !== nodePlatform())
        throw new NomadLabError(`building from source makes ${nodePlatform()} binaries, not ${platform}`);
      if (isPlugin(product)) await buildPlugin(product, version, request.archive, temporary, request.onProgress);
      else {
        request.onProgress?.(`building ${product} ${version} from source with Go (minutes on a cold cache)`);
        await buildFromSource(product, version, temporary, (line) => request.onProgress?.(`go: ${line}`));
      }
    }
    await chmod(temporary, 0o755);
    // A plugin answers only Nomad's plugin handshake: it has no `version` command to ask.
    if (platform === nodePlatform() && !isPlugin(product)) await checkVersion(product, version, temporary);
    const sha256 = await sha256File(temporary);
    await rename(temporary, path);
    const { size, mtimeMs } = await stat(path);
    await writeFile(`${path}.json`, `${JSON.stringify({ sha256, from: source, size, mtimeMs } satisfies Meta)}\n`);
    return source;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function checkVersion(product: Product, version: string, binary: string): Promise<void> {
  const result = await probe(binary, ['version'], { timeout: 30_000 });
  const actual = parseVersionOutput(product, result.stdout);
  if (actual !== version) {
    const said = result.stdout.split('\n', 1)[0] || result.stderr;
    throw new NomadLabError(`${binary} says it is ${product} ${actual ?? '(unreadable)'}, not ${version}: ${said}`);
  }
}

/** The cached binary and its recorded checksum, when both are there and agree. */
async function readCached(
  path: string,
): Promise<Omit<Artifact, 'product' | 'version' | 'platform' | 'path' | 'from'> | undefined> {
  try {
    const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as Meta;
    const { size, mtimeMs } = await stat(path);
    // Hashing two binaries of over 100 MiB on every `up` costs more than the rest of a no-change run's local work.
    if (meta.size === size && meta.mtimeMs === mtimeMs) return { sha256: meta.sha256, size };
    const sha256 = await sha256File(path);
    return sha256 === meta.sha256 ? { sha256, size } : undefined;
  } catch {
    return undefined;
  }
}
