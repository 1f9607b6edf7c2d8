import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { artifactPath, nodePlatform } from '../../src/artifacts/products.ts';
import { parseCluster } from '../../src/config/load.ts';
import { newUpState } from '../../src/pipeline/state.ts';
import { providerFor } from '../../src/providers/index.ts';
import { fetchBinaries } from '../../src/steps/fetch-binaries.ts';
import { jobImages } from '../../src/steps/job-images.ts';

// `nomad-lab plan` looks into the cache through the host-side steps' previews: what they would make, and what
// they would do first. A preview never fetches, builds or writes: these run with no network and no Docker.

const FILE = `version: 1
network: { cidr: 10.9.0.0/24 }
versions: { consul: 1.22.7, nomad: 1.11.3 }
artifacts: { source: release }
nodes:
  - { name: a, role: both, address: 10.9.0.2 }
jobs:
  - { name: own, file: own.nomad.hcl, images: [{ tarball: own.tar }] }
`;

async function lab(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-previews-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'own.nomad.hcl'), 'job "own" {}\n');
  await writeFile(join(dir, 'own.tar'), 'an image tarball');
  const cache = join(dir, 'cache');
  await mkdir(cache);
  process.env['NOMAD_LAB_CACHE'] = cache;
  t.teardown(() => {
    delete process.env['NOMAD_LAB_CACHE'];
    return Promise.resolve();
  });
  const cluster = {
    file: join(dir, 'cluster.yaml'),
    ...parseCluster(FILE, { displayName: 'cluster.yaml', baseDir: dir }),
  };
  return { dir, cache, state: newUpState(cluster, { provider: providerFor(cluster) }) };
}

test.serial(
  'binaries not in the cache: the preview says it would fetch them, with an empty sha256, and writes nothing',
  async (t) => {
    const { cache, state } = await lab(t);
    const { artifacts, host } = await fetchBinaries.preview!(state);
    t.deepEqual(host, [
      'fetch consul 1.22.7 into the cache (artifacts.source release)',
      'fetch nomad 1.11.3 into the cache (artifacts.source release)',
    ]);
    t.is(artifacts.consul.sha256, '');
    t.is(artifacts.nomad.path, artifactPath(cache, 'nomad', '1.11.3', nodePlatform()));
    t.deepEqual(await readdir(cache), []);
  },
);

test.serial('binaries in the cache: the preview gives them as up would, and says nothing to do', async (t) => {
  const { cache, state } = await lab(t);
  for (const [product, version] of [
    ['consul', '1.22.7'],
    ['nomad', '1.11.3'],
  ] as const) {
    const path = artifactPath(cache, product, version, nodePlatform());
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, `${product} binary`);
    const sha256 = createHash('sha256').update(`${product} binary`).digest('hex');
    await writeFile(`${path}.json`, `${JSON.stringify({ sha256, from: 'release' })}\n`);
  }
  const { artifacts, host } = await fetchBinaries.preview!(state);
  t.deepEqual(host, []);
  t.is(artifacts.consul.from, 'cache');
  t.regex(artifacts.nomad.sha256, /^[0-9a-f]{64}$/);
});

test.serial("job images: the file's own tarball with its sha256; no recipe asked, nothing to build", async (t) => {
  const { dir, state } = await lab(t);
  const { tarballs, host } = await jobImages.preview!(state);
  t.deepEqual(host, []);
  t.deepEqual(
    tarballs.map((x) => x.file),
    [join(dir, 'own.tar')],
  );
  t.regex(tarballs[0]!.sha256, /^[0-9a-f]{64}$/);
});
