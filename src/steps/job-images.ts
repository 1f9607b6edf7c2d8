import type { Cluster } from '../config/load.ts';
import { resolveFrom } from '../config/paths.ts';
import { cacheDir } from '../host/dirs.ts';
import { ensureJobImage, jobImageAsCached, jobImageRecipes, type JobImage } from '../images/job-images.ts';
import { tarballImage } from '../images/tarball-manifest.ts';
import { sha256Of } from '../ops/files.ts';
import type { ImageTarball } from '../pipeline/state.ts';
import { defineStep } from '../pipeline/step.ts';

/** The tarballs every client loads: each recipe's image as `image` gives it, then the file's own tarballs. */
async function tarballsOf(
  cluster: Cluster,
  image: (recipe: JobImage['recipe']) => Promise<ImageTarball>,
): Promise<ImageTarball[]> {
  const tarballs: ImageTarball[] = [];
  for (const recipe of jobImageRecipes(cluster.spec)) tarballs.push(await image(recipe));
  const own = cluster.spec.jobs.flatMap((j) =>
    j.images.flatMap((i) => (i.tarball ? [resolveFrom(cluster.dir, i.tarball)] : [])),
  );
  for (const file of new Set(own)) tarballs.push({ file, sha256: await sha256Of({ localPath: file }) });
  if (!cluster.spec.registry) return tarballs;
  // Pushed to the registry under their own tags: what they hold is read from them.
  return Promise.all(tarballs.map(async (t) => (t.sha256 ? { ...t, image: await tarballImage(t.file) } : t)));
}

/** The job images the cluster file asks for, built offline into tarballs in the cache, with the file's own tarballs. */
export const jobImages = defineStep({
  name: 'job images',
  needs: [],
  makes: ['tarballs'],
  async run({ cluster }, say) {
    const tarballs = await tarballsOf(cluster, async (recipe) => {
      const image = await ensureJobImage(recipe, cacheDir(), say);
      return { file: image.tarball, tag: image.tag, sha256: await sha256Of({ localPath: image.tarball }) };
    });
    if (tarballs.length === 0) return { tarballs, skipped: 'no job needs an image' };
    return { tarballs, summary: tarballs.map((t) => t.tag ?? t.file).join(', ') };
  },
  async preview({ cluster }) {
    const host: string[] = [];
    const tarballs = await tarballsOf(cluster, async (recipe) => {
      const image = await jobImageAsCached(recipe, cacheDir());
      if (image.cached)
        return { file: image.tarball, tag: image.tag, sha256: await sha256Of({ localPath: image.tarball }) };
      host.push(`build job image ${image.tag} into ${image.tarball}`);
      return { file: image.tarball, tag: image.tag, sha256: '' };
    });
    return { tarballs, host };
  },
});
