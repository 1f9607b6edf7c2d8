import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { installedVersion } from '../host/debian.ts';
import { run } from '../host/run.ts';
import { NomadLabError } from '../errors.ts';
import { imageExists, importRoot } from './docker.ts';
import { debianMirror, IMAGES_DIR, recipeHash, recipeLabels } from './recipe.ts';
import { debootstrap, NODE_SUITE } from './node-image.ts';

/**
 * Job images nomad-lab builds without a registry, by recipe name (cluster.yaml `jobs[].images[].recipe`);
 * files are in images/<recipe>/. Each build is tagged `<repository>:<recipe hash>`, and `<repository>:1`,
 * the tag the jobs name, moves to the newest, so a rebuild leaves no untagged image behind.
 */
export const JOB_IMAGE_RECIPES: Record<'whoami' | 'toolbox' | 'mariadb', JobRecipe> = {
  whoami: {
    repository: 'nomadlab/whoami',
    files: ['whoami-httpd'],
    changes: ['CMD ["/bin/whoami-httpd"]', 'EXPOSE 8080', 'ENV PORT=8080'],
  },
  /**
   * One busybox image for the web-db, stateful, task-options and files examples: their jobs pick the script
   * (`command`).
   */
  toolbox: {
    repository: 'nomadlab/toolbox',
    files: ['db-server', 'db-query', 'web-httpd', 'web.cgi', 'stateful-httpd', 'options-httpd'],
    changes: ['CMD ["/bin/sh"]', 'ENV PORT=8080'],
  },
  /**
   * MariaDB (the workshop's MySQL) and the to-do app's web, which talks to it with the mariadb client: a Debian
   * root from debootstrap, since busybox has no database. The web's job picks its script (`command`).
   */
  mariadb: {
    repository: 'nomadlab/mariadb',
    files: ['mariadb-run', 'todo-httpd', 'todo.cgi'],
    changes: ['CMD ["/usr/local/bin/mariadb-run"]', 'EXPOSE 3306', 'ENV PORT=3306'],
    debian: ['mariadb-server', 'mariadb-client', 'busybox'],
  },
};
export type JobImageRecipe = keyof typeof JOB_IMAGE_RECIPES;

interface JobRecipe {
  /** The image name; its tags are the recipe hash and JOB_TAG. */
  repository: string;
  /** Files of images/<recipe>/, copied executable into the image's bin folder. */
  files: readonly string[];
  /** Dockerfile lines `docker import` applies. */
  changes: readonly string[];
  /** Debian packages: the image is a debootstrap root holding them instead of busybox-static alone. */
  debian?: readonly string[];
}

/** Where a Debian image keeps nomad-lab's files (on PATH); a busybox image has them in /bin. */
const DEBIAN_BIN = 'usr/local/bin';
/** What a Debian image does not need at run time: apt's caches, docs, and the database the package's setup made. */
const DEBIAN_PRUNE = [
  'var/cache/apt/archives',
  'var/lib/apt/lists',
  'usr/share/doc',
  'usr/share/man',
  'usr/share/locale',
  'var/lib/mysql',
];

/** The tag job files name (`nomadlab/whoami:1`): always the newest build of the recipe. */
const JOB_TAG = '1';

/** The built-in image recipes a cluster's jobs ask for, each once. */
export function jobImageRecipes(spec: {
  jobs: readonly { images: readonly { recipe?: JobImageRecipe | undefined }[] }[];
}): JobImageRecipe[] {
  return [...new Set(spec.jobs.flatMap((j) => j.images.flatMap((i) => (i.recipe ? [i.recipe] : []))))];
}

export interface JobImage {
  recipe: JobImageRecipe;
  hash: string;
  /** `<repository>:<recipe hash>`. */
  tag: string;
  /** `docker save` tarball with both tags, loaded into the clients' Docker. */
  tarball: string;
  built: boolean;
}

/** A job recipe's hash: its files, the busybox-static or Debian packages it is built from, and the image settings. */
export async function jobRecipeHash(recipe: JobImageRecipe): Promise<string> {
  const { files, changes, debian } = JOB_IMAGE_RECIPES[recipe];
  if (debian)
    return recipeHash(join(IMAGES_DIR, recipe), files, [NODE_SUITE, await debianMirror(), ...debian, ...changes]);
  const busybox = await installedVersion('busybox-static');
  if (!busybox)
    throw new NomadLabError(
      'job images are built from busybox-static: run `nomad-lab host prepare` (or apt-get install busybox-static)',
    );
  return recipeHash(join(IMAGES_DIR, recipe), files, [busybox, BUSYBOX_LAYOUT, ...changes]);
}

/** How busyboxRoot lays out a root, in the hash: images built before its / was 0755 are built again. */
const BUSYBOX_LAYOUT = 'root 0755';

/**
 * The current build of a recipe as `ensureJobImage` would return it, and whether the cache holds its tarball and
 * Docker its tag (else `ensureJobImage` would build it). Reads only: no build, no tag.
 */
export async function jobImageAsCached(
  recipe: JobImageRecipe,
  cacheDir: string,
): Promise<JobImage & { cached: boolean }> {
  const hash = await jobRecipeHash(recipe);
  const tag = `${JOB_IMAGE_RECIPES[recipe].repository}:${hash}`;
  const tarball = jobTarball(cacheDir, recipe, hash);
  const cached =
    (await access(tarball).then(
      () => true,
      () => false,
    )) && (await imageExists(tag));
  return { recipe, hash, tag, tarball, built: false, cached };
}

/** Builds a job image from busybox-static and saves it as a tarball in the cache, unless both are there already. */
export async function ensureJobImage(
  recipe: JobImageRecipe,
  cacheDir: string,
  say: (line: string) => void = () => {},
): Promise<JobImage> {
  const { repository, files, changes, debian } = JOB_IMAGE_RECIPES[recipe];
  const hash = await jobRecipeHash(recipe);
  const tag = `${repository}:${hash}`;
  const jobTag = `${repository}:${JOB_TAG}`;
  const tarball = jobTarball(cacheDir, recipe, hash);
  const haveTarball = await access(tarball).then(
    () => true,
    () => false,
  );
  if (haveTarball && (await imageExists(tag))) {
    // Another checkout may have moved the jobs' tag to its own build.
    await run('docker', ['tag', tag, jobTag]);
    return { recipe, hash, tag, tarball, built: false };
  }

  say(`building ${tag}`);
  const dir = join(IMAGES_DIR, recipe);
  const root = await mkdtemp('/var/tmp/nomad-lab-job-root-');
  try {
    if (debian) await debianRoot(root, debian, say);
    else await busyboxRoot(root, say);
    const bin = join(root, debian ? DEBIAN_BIN : 'bin');
    for (const file of files) {
      const target = join(bin, file);
      await copyFile(join(dir, file), target);
      await chmod(target, 0o755);
    }
    await importRoot(root, [...changes, `LABEL ${recipeLabels(recipe, hash).join(' ')}`], tag);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  await run('docker', ['tag', tag, jobTag]);
  await mkdir(join(cacheDir, 'images'), { recursive: true });
  const partial = `${tarball}.partial-${process.pid}`;
  await run('docker', ['save', '-o', partial, tag, jobTag]);
  await rename(partial, tarball);
  return { recipe, hash, tag, tarball, built: true };
}

async function busyboxRoot(root: string, say: (line: string) => void): Promise<void> {
  say('from busybox-static');
  // mkdtemp made it 0700, and the image's / is this folder: a task run as another user (podman-web) must get through.
  await chmod(root, 0o755);
  for (const sub of ['bin', 'etc', 'www', 'tmp', 'proc', 'sys', 'dev']) await mkdir(join(root, sub));
  await chmod(join(root, 'tmp'), 0o1777);
  await copyFile('/bin/busybox', join(root, 'bin/busybox'));
  await run('chroot', [root, '/bin/busybox', '--install', '-s', '/bin']);
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
}

async function debianRoot(root: string, packages: readonly string[], say: (line: string) => void): Promise<void> {
  const mirror = await debianMirror();
  await debootstrap(root, packages, mirror, say);
  // mkdtemp made it 0700, and the image's / is this folder: daemons that drop root (mariadbd) must get through it.
  await chmod(root, 0o755);
  for (const path of DEBIAN_PRUNE) {
    await rm(join(root, path), { recursive: true, force: true });
    await mkdir(join(root, path), { recursive: true });
  }
}

/** Where a job image's `docker save` tarball is kept in the cache. */
function jobTarball(cacheDir: string, recipe: JobImageRecipe, hash: string): string {
  return join(cacheDir, 'images', `${recipe}-${hash}.tar`);
}

/** Removes the recipe's tarballs in the cache other than the one of `hash`; returns their paths. */
export async function removeOldTarballs(cacheDir: string, recipe: JobImageRecipe, hash: string): Promise<string[]> {
  const current = jobTarball(cacheDir, recipe, hash);
  const dir = join(cacheDir, 'images');
  const pattern = new RegExp(`^${recipe}-[0-9a-f]{12}\\.tar$`);
  const old = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => pattern.test(n))
    .map((n) => join(dir, n))
    .filter((p) => p !== current);
  for (const path of old) await rm(path, { force: true });
  return old;
}
