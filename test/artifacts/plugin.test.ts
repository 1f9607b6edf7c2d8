import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { ensureArtifact } from '../../src/artifacts/fetch.ts';
import { readPluginRecipe } from '../../src/artifacts/plugin-build.ts';
import { nodePlatform } from '../../src/artifacts/products.ts';

// The plugin source kind with real files: a tiny Go main packed as the pinned release's archive (same top folder),
// built by the real `go build`; and an archive whose sha256 is not the pinned one, refused before anything runs.

const scratch = () => mkdtemp(join(tmpdir(), 'nomad-lab-plugin-test-'));

/** A source archive laid out as the release's: `<recipe.dir>/go.mod` and a main package that prints `says`. */
async function sourceArchive(says: string): Promise<{ file: string; sha256: string }> {
  const { dir } = await readPluginRecipe('nomad-driver-podman');
  const root = await scratch();
  await mkdir(join(root, dir));
  await writeFile(join(root, dir, 'go.mod'), 'module example.com/tiny\n\ngo 1.21\n');
  await writeFile(join(root, dir, 'main.go'), `package main\n\nfunc main() { println(${JSON.stringify(says)}) }\n`);
  const file = join(root, 'source.tar.gz');
  await execa('tar', ['-czf', file, '-C', root, dir]);
  return {
    file,
    sha256: createHash('sha256')
      .update(await readFile(file))
      .digest('hex'),
  };
}

test.serial('auto: the release site unreachable, the source archive is checked and built into the cache', async (t) => {
  const { version } = await readPluginRecipe('nomad-driver-podman');
  const { file, sha256 } = await sourceArchive('tiny plugin');
  const cacheDir = await scratch();
  process.env['NOMAD_LAB_RELEASES_URL'] = 'http://127.0.0.1:9';
  t.teardown(() => delete process.env['NOMAD_LAB_RELEASES_URL']);
  const progress: string[] = [];
  const request = {
    product: 'nomad-driver-podman' as const,
    version,
    source: 'auto' as const,
    archive: { location: file, sha256 },
    cacheDir,
  };
  const built = await ensureArtifact({ ...request, onProgress: (line) => progress.push(line) });
  t.is(built.from, 'build');
  t.true(progress.includes('release failed, trying the next source'), progress.join('\n'));
  t.is((await execa(built.path, [])).stderr, 'tiny plugin');
  t.is((await ensureArtifact(request)).from, 'cache');
});

test.serial('an archive whose sha256 is not the pinned one is refused, and nothing is cached', async (t) => {
  const { version, sha256: pinned } = await readPluginRecipe('nomad-driver-podman');
  const { file, sha256 } = await sourceArchive('not the release');
  const cacheDir = await scratch();
  const error = await t.throwsAsync(
    ensureArtifact({
      product: 'nomad-driver-podman',
      version,
      source: 'build',
      archive: { location: file },
      cacheDir,
    }),
  );
  t.is(
    error?.message,
    `${file} has sha256 ${sha256}, not the pinned ${pinned}: nothing was built. Point artifacts.podman.archive at ` +
      'the release source archive, or set artifacts.podman.sha256 to the one you trust',
  );
  t.deepEqual(await readdir(join(cacheDir, 'artifacts', 'nomad-driver-podman', version, nodePlatform())), []);
});

test.serial('without an archive, building says which file to point artifacts.podman.archive at', async (t) => {
  const { version, archive, sha256 } = await readPluginRecipe('nomad-driver-podman');
  const error = await t.throwsAsync(
    ensureArtifact({ product: 'nomad-driver-podman', version, source: 'build', cacheDir: await scratch() }),
  );
  t.is(
    error?.message,
    `building nomad-driver-podman ${version} needs its source archive ${archive} (sha256 ${sha256}): set ` +
      'artifacts.podman.archive in the cluster file to its path or URL',
  );
});

test.serial('an archive at a URL is downloaded, checked and built the same way', async (t) => {
  const { version } = await readPluginRecipe('nomad-driver-podman');
  const { file, sha256 } = await sourceArchive('from a URL');
  const body = await readFile(file);
  const server = createServer((req, res) => res.writeHead(req.url === '/p.tar.gz' ? 200 : 404).end(body));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p.tar.gz`;
  const built = await ensureArtifact({
    product: 'nomad-driver-podman',
    version,
    source: 'build',
    archive: { location: url, sha256 },
    cacheDir: await scratch(),
  });
  t.is(built.from, 'build');
  t.is((await execa(built.path, [])).stderr, 'from a URL');
});
