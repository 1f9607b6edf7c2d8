import test from 'ava';
import { join } from 'node:path';
import {
  ensureNodeImage,
  NODE_FILES,
  NODE_SUITE,
  NODE_SUITES,
  nodeImageTag,
  nodeRecipeHash,
  nodeRecipeName,
} from '../../src/images/node-image.ts';
import { debianMirror, IMAGES_DIR, recipeHash } from '../../src/images/recipe.ts';

test(
  'bookworm is the default suite, and its hash covers what it always did: every bookworm image built so far ' +
    'stays current',
  async (t) => {
    t.is(NODE_SUITE, 'bookworm');
    t.deepEqual(NODE_SUITES, ['bookworm', 'trixie']);
    const before = await recipeHash(join(IMAGES_DIR, 'node'), NODE_FILES, [
      'bookworm',
      await debianMirror(),
      'CMD ["/sbin/init"]',
      'ENV container=docker',
      'STOPSIGNAL SIGRTMIN+3',
    ]);
    t.is(await nodeRecipeHash(), before);
    t.is(await nodeRecipeHash('bookworm'), before);
    t.is(await nodeImageTag('nomadlab/node'), `nomadlab/node:${before}`);
    t.is(await nodeImageTag('nomadlab/node', [], 'bookworm'), `nomadlab/node:${before}`);
    t.is(
      await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io'], 'bookworm'),
      await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io']),
    );
  },
);

test(
  'trixie has its own hash and says so in its tag; its ' + 'preloaded layer is named by the same packages hash',
  async (t) => {
    const [bookworm, trixie] = [await nodeRecipeHash('bookworm'), await nodeRecipeHash('trixie')];
    t.regex(trixie, /^[0-9a-f]{12}$/);
    t.not(trixie, bookworm);
    t.is(await nodeImageTag('nomadlab/node', [], 'trixie'), `nomadlab/node:trixie-${trixie}`);
    const packages = (await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io'])).split('-').at(-1);
    t.is(
      await nodeImageTag('nomadlab/node', ['docker.io', 'dnsmasq'], 'trixie'),
      `nomadlab/node:trixie-${trixie}-${packages}`,
    );
  },
);

test('each suite is its own recipe, so building one never removes the other as old', (t) => {
  t.is(nodeRecipeName(), 'node');
  t.is(nodeRecipeName('bookworm'), 'node');
  t.is(nodeRecipeName('trixie'), 'node-trixie');
});

test('the dockerfile recipe is bookworm only, refused before anything runs', async (t) => {
  await t.throwsAsync(ensureNodeImage({ name: 'nomadlab/node', recipe: 'dockerfile', suite: 'trixie' }), {
    message:
      'the dockerfile recipe builds bookworm only (images/node/Dockerfile); trixie is built with the ' +
      'debootstrap recipe',
  });
});
