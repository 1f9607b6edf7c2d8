import { NomadLabError } from '../errors.ts';
import { run } from '../host/run.ts';

/** One image of a `docker save` tarball's manifest.json. */
interface ManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
}

/**
 * The tags a `docker save` tarball holds and its image's config digest, read from its manifest.json with the host's
 * tar: `abc.json` (Docker 20) or `blobs/sha256/abc` (Docker 25, OCI layout) names the config by its sha256.
 */
export async function tarballImage(file: string): Promise<{ tags: string[]; config: string }> {
  const text = await run('tar', ['-xOf', file, 'manifest.json'], {
    hint: `is ${file} a \`docker save\` tarball?`,
  });
  const entries = JSON.parse(text) as ManifestEntry[];
  const [entry] = entries;
  const hex = /([0-9a-f]{64})(\.json)?$/.exec(entry?.Config ?? '')?.[1];
  if (entries.length !== 1 || !hex)
    throw new NomadLabError(
      `${file} holds ${entries.length} images: a job image tarball for the registry holds one, with its tags`,
    );
  const tags = entry!.RepoTags ?? [];
  if (tags.length === 0)
    throw new NomadLabError(`${file} holds an image without a tag: save it by name (docker save -o FILE NAME:TAG)`);
  return { tags, config: `sha256:${hex}` };
}
