import { cp, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { artifactPath } from '../../src/artifacts/fetch.ts';
import { nodePlatform } from '../../src/artifacts/products.ts';
import { loadCluster } from '../../src/config/load.ts';
import { cacheDir } from '../../src/host/dirs.ts';
import { requirePreparedHost } from './helpers.ts';

// The golden files (test/render) are what nomad-lab writes on nodes; here the real
// agents, at the pinned versions, judge them.

test.before(requirePreparedHost);

const golden = 'test/fixtures/golden';

async function binaries() {
  const { spec } = await loadCluster('cluster.yaml');
  return {
    consul: artifactPath(cacheDir(), 'consul', spec.versions.consul, nodePlatform()),
    nomad: artifactPath(cacheDir(), 'nomad', spec.versions.nomad, nodePlatform()),
  };
}

async function nodeDirs(): Promise<string[]> {
  const labs = await readdir(golden);
  return (await Promise.all(labs.map(async (lab) => (await readdir(join(golden, lab))).map((node) => join(golden, lab, node))))).flat();
}

test('consul validate accepts every rendered consul.hcl', async (t) => {
  const { consul } = await binaries();
  for (const dir of await nodeDirs()) {
    const result = await execa(consul, ['validate', join(dir, 'etc/consul.d')], { reject: false });
    t.is(result.exitCode, 0, `${dir}: ${result.stderr}`);
  }
});

test('nomad config validate accepts every rendered server.hcl and client.hcl', async (t) => {
  const { nomad } = await binaries();
  for (const dir of await nodeDirs()) {
    const result = await execa(nomad, ['config', 'validate', join(dir, 'etc/nomad.d')], { reject: false });
    t.is(result.exitCode, 0, `${dir}: ${result.stderr}`);
  }
});

test('the validators do reject a misspelled key', async (t) => {
  const { consul, nomad } = await binaries();
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-invalid-'));
  await cp(join(golden, 'nomad-lab/client1/etc'), dir, { recursive: true });
  await writeFile(join(dir, 'nomad.d/client.hcl'), 'client {\n  enabled = true\n  netwrk_interface = "eth1"\n}\n');
  await writeFile(join(dir, 'consul.d/extra.hcl'), 'bind_adr = "10.77.0.11"\n');
  t.regex((await execa(nomad, ['config', 'validate', join(dir, 'nomad.d')], { reject: false })).stderr, /unexpected keys netwrk_interface/);
  t.regex((await execa(consul, ['validate', join(dir, 'consul.d')], { reject: false })).stderr, /invalid config key bind_adr/);
});
