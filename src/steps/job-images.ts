import { resolveFrom } from '../config/paths.ts';
import { cacheDir } from '../host/dirs.ts';
import { ensureJobImage, jobImageRecipes } from '../images/job-images.ts';
import { sha256Of } from '../ops/files.ts';
import type { ImageTarball } from '../pipeline/state.ts';
import { defineStep } from '../pipeline/step.ts';

/** The job images the cluster file asks for, built offline into tarballs in the cache, with the file's own tarballs. */
export const jobImages = defineStep({
  name: 'job images',
  needs: [],
  makes: ['tarballs'],
  async run({ cluster }, say) {
    const { spec } = cluster;
    const tarballs: ImageTarball[] = [];
    for (const recipe of jobImageRecipes(spec)) {
      const image = await ensureJobImage(recipe, cacheDir(), say);
      tarballs.push({ file: image.tarball, tag: image.tag, sha256: await sha256Of({ localPath: image.tarball }) });
    }
    const own = [
      ...new Set(
        spec.jobs.flatMap((j) => j.images.flatMap((i) => (i.tarball ? [resolveFrom(cluster.dir, i.tarball)] : []))),
      ),
    ];
    for (const file of own) tarballs.push({ file, sha256: await sha256Of({ localPath: file }) });
    if (tarballs.length === 0) return { tarballs, skipped: 'no job needs an image' };
    return { tarballs, summary: tarballs.map((t) => t.tag ?? t.file).join(', ') };
  },
});
