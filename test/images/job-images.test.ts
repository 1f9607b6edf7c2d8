import test from 'ava';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOldTarballs } from '../../src/images/job-images.ts';

test('old tarballs: only earlier builds of the same recipe go', async (t) => {
  const cache = await mkdtemp(join(tmpdir(), 'nomad-lab-cache-'));
  t.teardown(() => rm(cache, { recursive: true, force: true }));
  const names = [
    'whoami-aaaaaaaaaaaa.tar',
    'whoami-bbbbbbbbbbbb.tar',
    'toolbox-aaaaaaaaaaaa.tar',
    'whoami-cccccccccccc.tar.partial-42',
    'whoami-notes.tar',
  ];
  await mkdir(join(cache, 'images'));
  for (const name of names) await writeFile(join(cache, 'images', name), '');
  t.deepEqual(await removeOldTarballs(cache, 'whoami', 'bbbbbbbbbbbb'), [
    join(cache, 'images', 'whoami-aaaaaaaaaaaa.tar'),
  ]);
  t.deepEqual((await readdir(join(cache, 'images'))).sort(), names.slice(1).sort());
});

test('old tarballs: no cache folder yet, nothing to remove', async (t) => {
  t.deepEqual(await removeOldTarballs(join(tmpdir(), 'nomad-lab-no-such-cache'), 'toolbox', 'aaaaaaaaaaaa'), []);
});
