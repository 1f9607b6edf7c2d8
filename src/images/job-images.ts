import { chmod, copyFile, mkdir, mkdtemp, rename, rm, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { installedVersion } from '../host/debian.ts';
import { run } from '../host/run.ts';
import { NomadLabError } from '../errors.ts';
import { imageExists, importRoot } from './docker.ts';
import { IMAGES_DIR, recipeHash } from './recipe.ts';

/** Job images nomad-lab builds without a registry, by recipe name (cluster.yaml `jobs[].images[].recipe`); files are in images/<recipe>/. */
export const JOB_IMAGE_RECIPES = {
  whoami: {
    tag: 'nomadlab/whoami:1',
    files: ['whoami-httpd'],
    changes: ['CMD ["/bin/whoami-httpd"]', 'EXPOSE 8080', 'ENV PORT=8080'],
  },
  /** One busybox image for the web-db and stateful examples: their jobs pick the script (`command`). */
  toolbox: {
    tag: 'nomadlab/toolbox:1',
    files: ['db-server', 'db-query', 'web-httpd', 'web.cgi', 'stateful-httpd'],
    changes: ['CMD ["/bin/sh"]', 'ENV PORT=8080'],
  },
} as const;
export type JobImageRecipe = keyof typeof JOB_IMAGE_RECIPES;

/** The built-in image recipes a cluster's jobs ask for, each once. */
export function jobImageRecipes(spec: { jobs: readonly { images: readonly { recipe?: JobImageRecipe | undefined }[] }[] }): JobImageRecipe[] {
  return [...new Set(spec.jobs.flatMap((j) => j.images.flatMap((i) => (i.recipe ? [i.recipe] : []))))];
}

export interface JobImage {
  recipe: JobImageRecipe;
  tag: string;
  /** `docker save` tarball, loaded into the clients' Docker. */
  tarball: string;
  built: boolean;
}

/** Builds a job image from busybox-static and saves it as a tarball in the cache, unless both are there already. */
export async function ensureJobImage(recipe: JobImageRecipe, cacheDir: string, say: (line: string) => void = () => {}): Promise<JobImage> {
  const { tag, files, changes } = JOB_IMAGE_RECIPES[recipe];
  const busybox = await installedVersion('busybox-static');
  if (!busybox) throw new NomadLabError('job images are built from busybox-static: run `nomad-lab host prepare` (or apt-get install busybox-static)');
  const dir = join(IMAGES_DIR, recipe);
  const tarball = join(cacheDir, 'images', `${recipe}-${await recipeHash(dir, files, [busybox, ...changes])}.tar`);
  const haveTarball = await access(tarball).then(() => true, () => false);
  if (haveTarball && (await imageExists(tag))) return { recipe, tag, tarball, built: false };

  say(`building ${tag} from busybox-static ${busybox}`);
  const root = await mkdtemp('/var/tmp/nomad-lab-job-root-');
  try {
    for (const dir of ['bin', 'etc', 'www', 'tmp', 'proc', 'sys', 'dev']) await mkdir(join(root, dir));
    await chmod(join(root, 'tmp'), 0o1777);
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    await run('chroot', [root, '/bin/busybox', '--install', '-s', '/bin']);
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
    for (const file of files) {
      const target = join(root, 'bin', file);
      await copyFile(join(dir, file), target);
      await chmod(target, 0o755);
    }
    await importRoot(root, changes, tag);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  await mkdir(join(cacheDir, 'images'), { recursive: true });
  const partial = `${tarball}.partial-${process.pid}`;
  await run('docker', ['save', '-o', partial, tag]);
  await rename(partial, tarball);
  return { recipe, tag, tarball, built: true };
}
