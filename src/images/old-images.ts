import { probe, run } from '../host/run.ts';
import { JOB_IMAGE_RECIPES, jobRecipeHash, type JobImageRecipe } from './job-images.ts';
import { NODE_SUITES, nodeRecipeHash, nodeRecipeName } from './node-image.ts';
import { RECIPE_HASH_LABEL, RECIPE_LABEL } from './recipe.ts';

/** An image that carries nomad-lab's recipe labels, so nomad-lab built it. */
export interface LabelledImage {
  id: string;
  tags: string[];
  size: number;
  recipe: string;
  hash: string;
}

interface InspectedImage {
  Id: string;
  RepoTags: string[] | null;
  Size: number;
  Config: { Labels: Record<string, string> | null } | null;
}

/** Parses `docker image inspect` (its JSON); images without the recipe labels are left out. */
export function parseLabelledImages(json: string): LabelledImage[] {
  return (JSON.parse(json) as InspectedImage[]).flatMap((image) => {
    const labels = image.Config?.Labels ?? {};
    const [recipe, hash] = [labels[RECIPE_LABEL], labels[RECIPE_HASH_LABEL]];
    return recipe && hash ? [{ id: image.Id, tags: image.RepoTags ?? [], size: image.Size, recipe, hash }] : [];
  });
}

/**
 * The images nomad-lab built for one of `current`'s recipes under another hash, that no container
 * (running or stopped, so no lab) was made from. Images without the labels are never among them.
 */
export function oldImages(
  images: readonly LabelledImage[],
  current: ReadonlyMap<string, string>,
  usedIds: ReadonlySet<string>,
): LabelledImage[] {
  return images.filter((i) => current.has(i.recipe) && i.hash !== current.get(i.recipe) && !usedIds.has(i.id));
}

/** Every image in the host's Docker with nomad-lab's recipe label. */
export async function labelledImages(): Promise<LabelledImage[]> {
  const ids = new Set(
    (await run('docker', ['image', 'ls', '-q', '--no-trunc', '--filter', `label=${RECIPE_LABEL}`]))
      .split('\n')
      .filter(Boolean),
  );
  if (ids.size === 0) return [];
  return parseLabelledImages(await run('docker', ['image', 'inspect', ...ids]));
}

/** The image ids of every container in the host's Docker, running or not. */
export async function containerImageIds(): Promise<Set<string>> {
  const ids = (await run('docker', ['ps', '-a', '-q', '--no-trunc'])).split('\n').filter(Boolean);
  if (ids.length === 0) return new Set();
  // A container removed since `ps` only drops out of the output; Docker refuses to remove a used image anyway.
  const inspected = await probe('docker', ['container', 'inspect', '--format', '{{.Image}}', ...ids]);
  return new Set(inspected.stdout.split('\n').filter(Boolean));
}

/** The old images of `current`'s recipes in the host's Docker (see `oldImages`). */
export async function findOldImages(current: ReadonlyMap<string, string>): Promise<LabelledImage[]> {
  const [images, used] = await Promise.all([labelledImages(), containerImageIds()]);
  return oldImages(images, current, used);
}

export interface Removed {
  images: LabelledImage[];
  /** Old images Docker refused to remove, with its reason. */
  kept: { image: LabelledImage; reason: string }[];
}

/** Removes the old images of `current`'s recipes, by their tags and without force. */
export async function removeOldImages(current: ReadonlyMap<string, string>): Promise<Removed> {
  const removed: Removed = { images: [], kept: [] };
  for (const image of await findOldImages(current)) {
    const result = await probe('docker', ['image', 'rm', ...(image.tags.length > 0 ? image.tags : [image.id])]);
    if (result.ok) removed.images.push(image);
    else removed.kept.push({ image, reason: result.stderr.trim() });
  }
  return removed;
}

/** The current hash of every built-in recipe; a job recipe's is missing while busybox-static is not installed. */
export async function currentRecipeHashes(): Promise<Map<string, string>> {
  const current = new Map<string, string>();
  for (const suite of NODE_SUITES) current.set(nodeRecipeName(suite), await nodeRecipeHash(suite));
  for (const recipe of Object.keys(JOB_IMAGE_RECIPES) as JobImageRecipe[]) {
    const hash = await jobRecipeHash(recipe).catch(() => undefined);
    if (hash !== undefined) current.set(recipe, hash);
  }
  return current;
}
