import test from 'ava';
import { nodePlatform, parseVersionOutput } from '../../src/artifacts/products.ts';
import { checksumFor, releaseUrls } from '../../src/artifacts/release.ts';
import { goBuildArgs } from '../../src/artifacts/source-build.ts';

test('version lines of the real binaries', (t) => {
  t.is(parseVersionOutput('consul', 'Consul v1.22.7\nRevision 1a2b3c\nBuild Date 2026-04-22T11:26:40Z\n'), '1.22.7');
  t.is(parseVersionOutput('nomad', 'Nomad v1.11.3\nBuildDate 2026-03-11T09:10:27Z\nRevision 173ab08a0210\n'), '1.11.3');
  t.is(parseVersionOutput('nomad', 'Consul v1.22.7\n'), undefined);
  t.is(parseVersionOutput('consul', 'Consul v1.22.7-dev\n'), undefined);
});

test('platforms are named as HashiCorp names them', (t) => {
  t.is(nodePlatform('x64'), 'linux_amd64');
  t.is(nodePlatform('arm64'), 'linux_arm64');
});

test('release URLs', (t) => {
  t.deepEqual(releaseUrls('nomad', '1.11.3', 'linux_amd64', 'https://example.test'), {
    zip: 'nomad_1.11.3_linux_amd64.zip',
    zipUrl: 'https://example.test/nomad/1.11.3/nomad_1.11.3_linux_amd64.zip',
    sumsUrl: 'https://example.test/nomad/1.11.3/nomad_1.11.3_SHA256SUMS',
  });
});

test('SHA256SUMS lookup takes the exact file name', (t) => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const sums = `${a}  nomad_1.11.3_linux_amd64.zip.sig\n${b}  nomad_1.11.3_linux_amd64.zip\n`;
  t.is(checksumFor(sums, 'nomad_1.11.3_linux_amd64.zip'), b);
  t.is(checksumFor(sums, 'nomad_1.11.3_linux_arm64.zip'), undefined);
});

test('go build arguments carry tags and ldflags', (t) => {
  t.deepEqual(
    goBuildArgs(
      { version: '1.11.3', package: 'github.com/hashicorp/nomad', env: {}, tags: ['ui', 'release'], ldflags: '-X a=b' },
      '/tmp/out',
    ),
    [
      'build',
      '-v',
      '-trimpath',
      '-tags',
      'ui,release',
      '-ldflags',
      '-X a=b',
      '-o',
      '/tmp/out',
      'github.com/hashicorp/nomad',
    ],
  );
});
