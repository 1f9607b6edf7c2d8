import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile, mkdir, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { zipSync } from 'fflate';
import { artifactPath, ensureArtifact } from '../../src/artifacts/fetch.ts';
import { nodePlatform } from '../../src/artifacts/products.ts';

// A real HTTP server on loopback stands in for the release site: the download,
// checksum and unzip code paths run for real; only the binary is a tiny script.

const platform = nodePlatform();
const fakeConsul = (version: string) => `#!/bin/sh\necho "Consul v${version}"\necho "Revision 0000000"\n`;

function releaseFiles(version: string, options: { corrupt?: boolean } = {}) {
  const zipName = `consul_${version}_${platform}.zip`;
  const zip = Buffer.from(
    zipSync({ consul: [new TextEncoder().encode(fakeConsul(version)), { os: 3, attrs: 0o755 << 16 }] }),
  );
  const sum = createHash('sha256')
    .update(options.corrupt ? Buffer.from('other') : zip)
    .digest('hex');
  return new Map<string, Buffer>([
    [`/consul/${version}/${zipName}`, zip],
    [
      `/consul/${version}/consul_${version}_SHA256SUMS`,
      Buffer.from(`${'0'.repeat(64)}  consul_${version}_darwin_arm64.zip\n${sum}  ${zipName}\n`),
    ],
  ]);
}

async function serve(files: Map<string, Buffer>): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const cache = () => mkdtemp(join(tmpdir(), 'nomad-lab-cache-'));

test.serial('release: downloads, checks SHA256SUMS, unzips, then serves from the cache', async (t) => {
  const { server, url, hits } = await serve(releaseFiles('9.9.1'));
  t.teardown(() => server.close());
  process.env['NOMAD_LAB_RELEASES_URL'] = url;
  const cacheDir = await cache();

  const first = await ensureArtifact({ product: 'consul', version: '9.9.1', source: 'release', cacheDir });
  t.is(first.from, 'release');
  t.is(first.path, artifactPath(cacheDir, 'consul', '9.9.1', platform));
  t.is(await readFile(first.path, 'utf8'), fakeConsul('9.9.1'));
  t.is(hits.length, 2);

  const second = await ensureArtifact({ product: 'consul', version: '9.9.1', source: 'release', cacheDir });
  t.is(second.from, 'cache');
  t.is(second.sha256, first.sha256);
  t.is(hits.length, 2, 'the second run downloads nothing');
});

test.serial('release: a checksum mismatch keeps nothing', async (t) => {
  const { server, url } = await serve(releaseFiles('9.9.2', { corrupt: true }));
  t.teardown(() => server.close());
  process.env['NOMAD_LAB_RELEASES_URL'] = url;
  const cacheDir = await cache();
  const error = await t.throwsAsync(
    ensureArtifact({ product: 'consul', version: '9.9.2', source: 'release', cacheDir }),
  );
  t.regex(
    error.message,
    new RegExp(
      [
        String.raw`^checksum mismatch for http://127\.0\.0\.1:\d+/consul/9\.9\.2/consul_9\.9\.2_linux_\w+\.zip: `,
        String.raw`SHA256SUMS says [0-9a-f]{64}, the download is [0-9a-f]{64}; nothing was kept$`,
      ].join(''),
    ),
  );
  const again = await t.throwsAsync(readFile(artifactPath(cacheDir, 'consul', '9.9.2', platform)));
  t.is((again as NodeJS.ErrnoException).code, 'ENOENT');
});

async function binaryDir(version: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-bin-'));
  await writeFile(join(dir, 'consul'), fakeConsul(version));
  await chmod(join(dir, 'consul'), 0o755);
  return dir;
}

test('directory: copies the binary after checking the version it reports', async (t) => {
  const directory = await binaryDir('9.9.3');
  const artifact = await ensureArtifact({
    product: 'consul',
    version: '9.9.3',
    source: 'directory',
    directory,
    cacheDir: await cache(),
  });
  t.is(artifact.from, 'directory');
  t.is(await readFile(artifact.path, 'utf8'), fakeConsul('9.9.3'));
});

test('directory: a binary of another version is refused', async (t) => {
  const directory = await binaryDir('9.9.0');
  const error = await t.throwsAsync(
    ensureArtifact({ product: 'consul', version: '9.9.4', source: 'directory', directory, cacheDir: await cache() }),
  );
  t.regex(error.message, /says it is consul 9\.9\.0, not 9\.9\.4/);
});

test('a cached binary that no longer matches its checksum is fetched again', async (t) => {
  const directory = await binaryDir('9.9.5');
  const cacheDir = await cache();
  const first = await ensureArtifact({ product: 'consul', version: '9.9.5', source: 'directory', directory, cacheDir });
  await writeFile(first.path, '#!/bin/sh\necho tampered\n');
  const second = await ensureArtifact({
    product: 'consul',
    version: '9.9.5',
    source: 'directory',
    directory,
    cacheDir,
  });
  t.is(second.from, 'directory');
  t.is(second.sha256, first.sha256);
});

test.serial('auto: tries every source and says why each failed', async (t) => {
  process.env['NOMAD_LAB_RELEASES_URL'] = 'http://127.0.0.1:1';
  const directory = await mkdtemp(join(tmpdir(), 'nomad-lab-empty-'));
  await mkdir(directory, { recursive: true });
  const lines: string[] = [];
  const error = await t.throwsAsync(
    ensureArtifact({
      product: 'consul',
      version: '9.9.6',
      source: 'auto',
      directory,
      cacheDir: await cache(),
      onProgress: (l) => lines.push(l),
    }),
  );
  const message = error.message.split('\n');
  t.is(message[0], 'could not get consul 9.9.6 from any source:');
  t.regex(message[1]!, /^ {2}directory: ENOENT/);
  t.regex(
    message[2]!,
    /^ {2}release: cannot reach http:\/\/127\.0\.0\.1:1\/consul\/9\.9\.6\/consul_9\.9\.6_SHA256SUMS: /,
  );
  t.regex(message[3]!, /^ {2}build: building consul from source knows consul \d+\.\d+\.\d+ only .*not 9\.9\.6/);
  t.true(lines.includes('release failed, trying the next source'));
});
