import test from 'ava';
import { chmod, cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_FILES } from '../../src/images/node-image.ts';
import { IMAGES_DIR, recipeHash } from '../../src/images/recipe.ts';

/** A copy of the node recipe in a fresh temp folder, as another checkout would have it. */
async function checkout(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-recipe-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const recipe = join(dir, 'some', 'checkout', 'images', 'node');
  await cp(join(IMAGES_DIR, 'node'), recipe, { recursive: true });
  return recipe;
}

test('two checkouts of one recipe in different folders give one hash', async (t) => {
  const [a, b] = [await checkout(t), await checkout(t)];
  t.not(a, b);
  const hash = await recipeHash(a, NODE_FILES, ['bookworm']);
  t.regex(hash, /^[0-9a-f]{12}$/);
  t.is(await recipeHash(b, NODE_FILES, ['bookworm']), hash);
  t.is(await recipeHash(join(IMAGES_DIR, 'node'), NODE_FILES, ['bookworm']), hash);
});

test('the order the files are named in does not count', async (t) => {
  const dir = await checkout(t);
  t.is(await recipeHash(dir, [...NODE_FILES].reverse()), await recipeHash(dir, NODE_FILES));
});

test('a mode the umask chose does not count, the executable bit does', async (t) => {
  const dir = await checkout(t);
  const before = await recipeHash(dir, NODE_FILES);
  await chmod(join(dir, 'packages'), 0o664);
  t.is(await recipeHash(dir, NODE_FILES), before);
  await chmod(join(dir, 'packages'), 0o755);
  t.not(await recipeHash(dir, NODE_FILES), before);
});

test('one changed byte gives a new hash', async (t) => {
  const [a, b] = [await checkout(t), await checkout(t)];
  const script = await readFile(join(b, 'configure.sh'));
  const last = script.length - 2;
  script[last] = script[last]! ^ 1;
  await writeFile(join(b, 'configure.sh'), script);
  t.not(await recipeHash(b, NODE_FILES), await recipeHash(a, NODE_FILES));
});

test('a renamed file or a changed setting gives a new hash', async (t) => {
  const dir = await checkout(t);
  const settings = ['bookworm', 'http://deb.debian.org/debian'];
  const before = await recipeHash(dir, NODE_FILES, settings);
  t.not(await recipeHash(dir, NODE_FILES, ['trixie', settings[1]!]), before);
  t.not(await recipeHash(dir, NODE_FILES, [settings[0]!, 'http://mirror.example/debian']), before);
  await rename(join(dir, 'packages'), join(dir, 'packages.list'));
  t.not(await recipeHash(dir, ['packages.list', ...NODE_FILES.slice(1)], settings), before);
});
