import test from 'ava';
import { oldImages, parseLabelledImages, type LabelledImage } from '../../src/images/old-images.ts';

// `docker image inspect` (Docker 20.10), trimmed to the fields read: a job image nomad-lab built,
// and one built before the labels, which is never taken for nomad-lab's.
const INSPECT = JSON.stringify([
  {
    Id: 'sha256:20133542f11be0406de6459bff54510906aa3020a9e6f6c6025f676de6719314',
    RepoTags: ['nomadlab/whoami:1', 'nomadlab/whoami:458ad1421e65'],
    Size: 1985828,
    Config: { Labels: { 'nomad-lab.recipe': 'whoami', 'nomad-lab.recipe-hash': '458ad1421e65' } },
  },
  {
    Id: 'sha256:6d71210654a24ae5e04db567ed3758e706e2156a70c19be1cb7bc42197480dda',
    RepoTags: ['nomadlab/toolbox:1'],
    Size: 1988187,
    Config: { Labels: null },
  },
]);

test('docker image inspect: only images with both recipe labels', (t) => {
  t.deepEqual(parseLabelledImages(INSPECT), [
    {
      id: 'sha256:20133542f11be0406de6459bff54510906aa3020a9e6f6c6025f676de6719314',
      tags: ['nomadlab/whoami:1', 'nomadlab/whoami:458ad1421e65'],
      size: 1985828,
      recipe: 'whoami',
      hash: '458ad1421e65',
    },
  ]);
});

const image = (id: string, recipe: string, hash: string): LabelledImage => ({
  id,
  tags: [`nomadlab/${recipe}:${hash}`],
  size: 1,
  recipe,
  hash,
});
const images = [
  image('a', 'node', 'aaa'),
  image('b', 'node', 'bbb'),
  image('c', 'node', 'ccc'),
  image('d', 'toolbox', 'ddd'),
  image('e', 'whoami', 'eee'),
  image('f', 'node-trixie', 'fff'),
  image('g', 'node-trixie', 'ggg'),
];

const cases: { title: string; current: Record<string, string>; used: string[]; old: string[] }[] = [
  {
    title: 'other hashes of a recipe built now are old (and trixie is another recipe)',
    current: { node: 'ccc' },
    used: [],
    old: ['a', 'b'],
  },
  { title: 'an image a container was made from is kept', current: { node: 'ccc' }, used: ['a'], old: ['b'] },
  { title: 'recipes not built now are left alone', current: { node: 'aaa', whoami: 'eee' }, used: [], old: ['b', 'c'] },
  { title: 'the current build is never old', current: { toolbox: 'ddd' }, used: [], old: [] },
  { title: 'nothing built, nothing old', current: {}, used: [], old: [] },
  { title: 'a trixie build leaves the bookworm images alone', current: { 'node-trixie': 'ggg' }, used: [], old: ['f'] },
];

for (const c of cases) {
  test(`old images: ${c.title}`, (t) => {
    t.deepEqual(
      oldImages(images, new Map(Object.entries(c.current)), new Set(c.used)).map((i) => i.id),
      c.old,
    );
  });
}
