import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { artifactPath } from '../../src/artifacts/fetch.ts';
import { nodePlatform } from '../../src/artifacts/products.ts';
import { loadCluster } from '../../src/config/load.ts';
import { cacheDir } from '../../src/host/dirs.ts';
import { renderNodeConfig } from '../../src/render/node-config.ts';
import { ensureLabTls } from '../../src/state/lab-tls.ts';
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

/**
 * The secure lab's golden files are what `security` adds to the default lab's: validated together, as a node has them.
 */
const SECURE = 'nomad-lab-secure';

async function nodeDirs(): Promise<string[]> {
  const labs = (await readdir(golden)).filter((lab) => lab !== SECURE);
  const secure = await Promise.all(
    (await readdir(join(golden, SECURE))).map(async (node) => {
      const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${SECURE}-`));
      await cp(join(golden, 'nomad-lab', node), dir, { recursive: true });
      await cp(join(golden, SECURE, node), dir, { recursive: true });
      return dir;
    }),
  );
  const nodes = await Promise.all(
    labs.map(async (lab) => (await readdir(join(golden, lab))).map((node) => join(golden, lab, node))),
  );
  // A node's agent configs; a golden folder of another file alone (the registry's config.yml) is not one.
  return [...nodes.flat().filter((dir) => existsSync(join(dir, 'etc/nomad.d'))), ...secure];
}

/** mode dev: a node whose agents start with -dev, which sets what the files leave out. */
const startsDev = (dir: string) =>
  readFile(join(dir, 'etc/systemd/system/nomad.service'), 'utf8').then((unit) => / agent -dev /.test(unit));

/**
 * What `-dev` sets and a dev node's files leave out (Consul's dev agent reads no file at all): a data folder and a
 * server of its own, as `nomad agent -dev` has them.
 */
const DEV_COMPLETION = 'data_dir = "/tmp/nomad-dev"\nserver {\n  enabled          = true\n  bootstrap_expect = 1\n}\n';

test('consul validate accepts every rendered consul.hcl (and security.hcl beside it)', async (t) => {
  const { consul } = await binaries();
  for (const dir of await nodeDirs()) {
    if (await startsDev(dir)) {
      t.false(existsSync(join(dir, 'etc/consul.d')), `${dir}: a dev agent reads no file`);
      continue;
    }
    const result = await execa(consul, ['validate', join(dir, 'etc/consul.d')], { reject: false });
    t.is(result.exitCode, 0, `${dir}: ${result.stderr}`);
  }
});

test('nomad config validate accepts every rendered server.hcl and client.hcl', async (t) => {
  const { nomad } = await binaries();
  for (const dir of await nodeDirs()) {
    let files = join(dir, 'etc/nomad.d');
    if (await startsDev(dir)) {
      files = await mkdtemp(join(tmpdir(), 'nomad-lab-dev-'));
      t.teardown(() => rm(files, { recursive: true, force: true }));
      await cp(join(dir, 'etc/nomad.d'), files, { recursive: true });
      await writeFile(join(files, 'dev.hcl'), DEV_COMPLETION);
    }
    const result = await execa(nomad, ['config', 'validate', files], { reject: false });
    t.is(result.exitCode, 0, `${dir}: ${result.stderr}`);
  }
});

test('the validators do reject a misspelled key', async (t) => {
  const { consul, nomad } = await binaries();
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-invalid-'));
  await cp(join(golden, 'nomad-lab/client1/etc'), dir, { recursive: true });
  await writeFile(join(dir, 'nomad.d/client.hcl'), 'client {\n  enabled = true\n  netwrk_interface = "eth1"\n}\n');
  await writeFile(join(dir, 'consul.d/extra.hcl'), 'bind_adr = "10.77.0.11"\n');
  t.regex(
    (await execa(nomad, ['config', 'validate', join(dir, 'nomad.d')], { reject: false })).stderr,
    /unexpected keys netwrk_interface/,
  );
  t.regex(
    (await execa(consul, ['validate', join(dir, 'consul.d')], { reject: false })).stderr,
    /invalid config key bind_adr/,
  );
});

test(
  "the lab CA and certificates, made by the lab's own consul: the names each agent checks, made once, a " +
    "node's remade when its address changes",
  async (t) => {
    const { consul } = await binaries();
    const { spec } = await loadCluster('cluster.yaml');
    const state = await mkdtemp(join(tmpdir(), 'nomad-lab-tls-'));
    t.teardown(() => rm(state, { recursive: true, force: true }));
    const tls = await ensureLabTls(state, consul, spec);
    const ca = new X509Certificate(tls.ca);
    t.true(ca.ca);
    const names = (node: string) => new X509Certificate(tls.nodes.get(node)!.cert).subjectAltName ?? '';
    t.regex(names('server'), /DNS:server\.dc1\.consul/);
    t.regex(names('server'), /DNS:server\.global\.nomad/);
    t.regex(names('server'), /IP Address:10\.77\.0\.10/);
    t.regex(names('client1'), /DNS:client\.global\.nomad/);
    t.regex(names('client1'), /IP Address:10\.77\.0\.11/);
    t.notRegex(names('client1'), /server\./, 'a client cannot pose as a server');
    for (const pair of [...tls.nodes.values(), tls.cli]) t.true(new X509Certificate(pair.cert).verify(ca.publicKey));
    for (const file of await readdir(join(state, 'tls')))
      t.is((await stat(join(state, 'tls', file))).mode & 0o777, 0o600, file);

    const again = await ensureLabTls(state, consul, spec);
    t.is(again.ca, tls.ca);
    t.deepEqual(again.nodes, tls.nodes);
    const moved = {
      ...spec,
      nodes: spec.nodes.map((n) => (n.name === 'client2' ? { ...n, address: '10.77.0.42' } : n)),
    };
    const remade = await ensureLabTls(state, consul, moved);
    t.is(remade.ca, tls.ca);
    t.is(remade.nodes.get('server')!.cert, tls.nodes.get('server')!.cert);
    t.not(remade.nodes.get('client2')!.cert, tls.nodes.get('client2')!.cert);
    t.regex(new X509Certificate(remade.nodes.get('client2')!.cert).subjectAltName ?? '', /IP Address:10\.77\.0\.42/);
  },
);

test(
  'consul validate and nomad config validate accept security.acl alone and security.tls alone, on a server ' +
    'and a client',
  async (t) => {
    const { consul, nomad } = await binaries();
    const { spec } = await loadCluster('cluster.yaml');
    const acl = { consulManagement: 'a', consulAgent: 'b', consulDns: 'c', consulNomad: 'd' };
    const tls = { ca: 'ca\n', cert: 'cert\n', key: 'key\n' };
    for (const [name, security] of [
      ['acl', { acl }],
      ['tls', { tls }],
    ] as const) {
      for (const node of spec.nodes.slice(0, 2)) {
        const dir = await mkdtemp(join(tmpdir(), `nomad-lab-${name}-`));
        t.teardown(() => rm(dir, { recursive: true, force: true }));
        for (const f of renderNodeConfig({
          spec,
          node,
          gossipKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          networkInterface: 'eth1',
          security,
        })) {
          if (f.path.includes('/systemd/')) continue;
          await mkdir(join(dir, dirname(f.path)), { recursive: true });
          await writeFile(join(dir, f.path), f.content);
        }
        const c = await execa(consul, ['validate', join(dir, 'etc/consul.d')], { reject: false });
        t.is(c.exitCode, 0, `${name} ${node.name}: ${c.stderr}`);
        const n = await execa(nomad, ['config', 'validate', join(dir, 'etc/nomad.d')], { reject: false });
        t.is(n.exitCode, 0, `${name} ${node.name}: ${n.stderr}`);
      }
    }
  },
);
