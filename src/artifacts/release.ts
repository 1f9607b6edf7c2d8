import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { NomadLabError } from '../errors.ts';
import type { ArtifactName } from './products.ts';
import { env } from '../env.ts';

/** HashiCorp's release archives; `NOMAD_LAB_RELEASES_URL` points at a mirror. */
export function releasesBaseUrl(): string {
  return (env.releasesUrl() ?? 'https://releases.hashicorp.com').replace(/\/+$/, '');
}

export function releaseUrls(product: ArtifactName, version: string, platform: string, base = releasesBaseUrl()) {
  const dir = `${base}/${product}/${version}`;
  const zip = `${product}_${version}_${platform}.zip`;
  return { zip, zipUrl: `${dir}/${zip}`, sumsUrl: `${dir}/${product}_${version}_SHA256SUMS` };
}

/** The sha256 a SHA256SUMS file gives for `fileName`. */
export function checksumFor(sums: string, fileName: string): string | undefined {
  for (const line of sums.split('\n')) {
    const match = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (match && match[2] === fileName) return match[1];
  }
  return undefined;
}

/** Downloads a release zip, checks it against SHA256SUMS, and returns the binary inside. */
export async function downloadRelease(
  product: ArtifactName,
  version: string,
  platform: string,
  options: { timeoutMs?: number } = {},
): Promise<Buffer> {
  const { zip, zipUrl, sumsUrl } = releaseUrls(product, version, platform);
  const signal = AbortSignal.timeout(options.timeoutMs ?? 300_000);
  const sums = (await download(sumsUrl, signal)).toString('utf8');
  const expected = checksumFor(sums, zip);
  if (!expected)
    throw new NomadLabError(
      `${sumsUrl} lists no checksum for ${zip}: is ${product} ${version} released for ${platform}?`,
    );
  const archive = await download(zipUrl, signal);
  const actual = createHash('sha256').update(archive).digest('hex');
  if (actual !== expected) {
    throw new NomadLabError(
      `checksum mismatch for ${zipUrl}: SHA256SUMS says ${expected}, the download is ${actual}; nothing was kept`,
    );
  }
  const files = unzipSync(archive, { filter: (file) => file.name === product });
  const binary = files[product];
  if (!binary) throw new NomadLabError(`${zipUrl} holds no file named "${product}"`);
  return Buffer.from(binary);
}

/** The body of `url`; an unreachable host or an HTTP error is a NomadLabError naming the URL. */
export async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (cause) {
    // A network failure is fetch's "fetch failed" with the reason (ECONNREFUSED, a DNS failure) as its cause.
    const error = cause as Error;
    const reason = error.cause instanceof Error ? error.cause.message : error.message;
    throw new NomadLabError(`cannot reach ${url}: ${reason}`, { cause });
  }
  if (!response.ok) throw new NomadLabError(`GET ${url}: HTTP ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}
