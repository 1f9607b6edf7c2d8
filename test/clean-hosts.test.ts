import test from 'ava';
import { LAB_PATHS, labPaths, ownedPaths } from '../src/clean-hosts.ts';
import { loadCluster } from '../src/config/load.ts';
import type { UnitState } from '../src/facts/facts.ts';
import type { Change } from '../src/ops/change.ts';
import { HASH_CACHE_ROOT } from '../src/ops/files.ts';
import { newUpState, type Base, type Products } from '../src/pipeline/state.ts';
import type { NodePlanner } from '../src/pipeline/step.ts';
import { providerFor } from '../src/providers/index.ts';
import { isScript } from '../src/remote/quote.ts';
import { agentAdoption, SET_ASIDE } from '../src/steps/adopt-agents.ts';
import { consulConfig } from '../src/steps/configure-consul.ts';
import { nomadAgentImageLoad, nomadConfig } from '../src/steps/configure-nomad.ts';
import { consulUser, hashicorpBinaries } from '../src/steps/install-hashicorp.ts';
import { dockerService, installedPackages } from '../src/steps/install-packages.ts';
import { jobImageLoads, podmanImageLoads } from '../src/steps/load-job-images.ts';
import { podmanService } from '../src/steps/podman-service.ts';
import { registryPushes, registryServer, registryTrust } from '../src/steps/registry.ts';
import { dnsmasqForwarding, resolvedForwarding, resolvWithoutDnsmasq } from '../src/steps/resolve-consul-dns.ts';
import { UP_STEPS } from '../src/up.ts';

// `down` on existing hosts removes what the planners of `up` say they own: here, every planner of UP_STEPS is run
// on the facts of a host where nothing of the lab is yet, and what it writes is checked against what it declares.

const stopped: UnitState = { loaded: false, active: false, failed: false, enabled: false, startedAt: 0 };
const running: UnitState = { loaded: true, active: true, failed: false, enabled: true, startedAt: 1 };
const nothing = new Map<never, never>();

/** Per planner, the facts of a host without the lab (one case per branch that writes something else). */
const FRESH = new Map<NodePlanner<never>, readonly unknown[]>([
  [
    agentAdoption,
    [
      {
        agents: {
          consul: {
            unitFile: '/usr/lib/systemd/system/consul.service',
            active: false,
            binaries: ['/usr/bin/consul'],
            configs: ['/etc/consul.d/consul.hcl'],
          },
          nomad: { active: false, binaries: [], configs: ['/etc/nomad.d/nomad.hcl'] },
        },
      },
    ],
  ],
  [resolvWithoutDnsmasq, [{ resolv: 'nameserver 10.0.2.3\n', upstream: undefined, unit: stopped, resolved: stopped }]],
  [installedPackages, [{ packages: new Map(), resolved: stopped }]],
  [dockerService, [{ files: nothing, unit: stopped, docker: { engine: false, cli: false }, packages: nothing }]],
  [consulUser, [{ consul: false }]],
  [hashicorpBinaries, [{ dirs: nothing, binaries: nothing }]],
  [consulConfig, [{ files: nothing, unit: stopped }]],
  [dnsmasqForwarding, [{ resolv: 'nameserver 10.0.2.3\n', files: nothing, unit: stopped, resolved: stopped }]],
  [resolvedForwarding, [{ files: nothing, resolved: running }]],
  // mode container only: an image in Docker, no path (down removes it by its nomad-lab.recipe label).
  [nomadAgentImageLoad, [{ present: new Set() }]],
  [nomadConfig, [{ iface: 'eth1', volumes: nothing, files: nothing, unit: stopped }]],
  [registryServer, [{ packages: new Map(), files: nothing, unit: stopped }]],
  [registryTrust, [{ dirs: nothing, files: nothing }]],
  [registryPushes, [{ dir: nothing, files: nothing, held: new Map() }]],
  [jobImageLoads, [{ dir: nothing, files: nothing, present: new Set() }]],
  [podmanService, [{ files: nothing, procSys: stopped, socket: stopped }]],
  [podmanImageLoads, [{ present: new Set() }]],
]);

/** Planners that work only for a lab with a registry: planned on the example with one added. */
const WITH_REGISTRY = new Set<NodePlanner<never>>([registryServer, registryTrust, registryPushes]);

/** The example with a registry on its first server, and the secrets `up` makes for it. */
async function withRegistry(): Promise<Base & Products> {
  const state = await existingHostsState();
  const spec = { ...state.cluster.spec, registry: { node: state.cluster.spec.nodes[0]!.name, port: 5000 } };
  return {
    ...state,
    cluster: { ...state.cluster, spec },
    tarballs: state.tarballs.map((t) => ({ ...t, image: { tags: [t.tag!], config: `sha256:${'d'.repeat(64)}` } })),
    security: {
      registry: {
        credentials: { user: 'nomadlab', password: 'p'.repeat(24), htpasswd: 'nomadlab:x' },
        tls: { ca: 'CA', cert: 'CERT', key: 'KEY' },
      },
    },
  };
}

async function existingHostsState(): Promise<Base & Products> {
  const cluster = await loadCluster('examples/existing-hosts.yaml');
  const artifact = (product: 'consul' | 'nomad') => ({
    product,
    version: '1.0.0',
    platform: 'linux_amd64',
    path: `/cache/${product}`,
    sha256: product === 'consul' ? 'a'.repeat(64) : 'b'.repeat(64),
    size: 1,
    from: 'cache' as const,
  });
  return {
    ...newUpState(cluster, { provider: providerFor(cluster) }),
    nodeImage: '',
    tarballs: [{ file: '/cache/whoami-abc.tar', tag: 'nomadlab/whoami:abc', sha256: 'c'.repeat(64) }],
    artifacts: { consul: artifact('consul'), nomad: artifact('nomad') },
    endpoints: [],
    remotes: new Map(),
    gossipKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    security: {},
    binaries: new Map(),
  };
}

/** The paths a change writes: a file put, a folder made (`install -d`), or config files set aside. */
function writes(change: Change): string[] {
  if (change.kind === 'put') return [change.path];
  if (change.kind !== 'run') return [];
  if (isScript(change.command))
    return change.description.startsWith('set aside') ? [change.command.args?.[0] ?? ''] : [];
  return change.command[0] === 'install' && change.command[1] === '-d' ? [change.command.at(-1)!] : [];
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

async function planned() {
  const plain = await existingHostsState();
  const registry = await withRegistry();
  const volumes = plain.cluster.spec.nodes.flatMap((n) => n.host_volumes.map((v) => v.path));
  const rows = [...FRESH].flatMap(([planner, cases]) => {
    const state = WITH_REGISTRY.has(planner) ? registry : plain;
    const owned = [...(planner.owns ?? []), ...(planner.ownsIn?.(state.cluster.spec) ?? [])];
    return planner.nodes(state as never).flatMap((node) =>
      cases.map((facts) => ({
        planner,
        owned,
        written: planner.plan(node, facts as never, state as never).flatMap(writes),
      })),
    );
  });
  return { rows, volumes };
}

test('the fixtures here cover every planner of up, and every planner of up is here', (t) => {
  const ofUp = UP_STEPS.flatMap((step) => step.planners ?? []);
  // By identity: ava compares a Set's members by shape, and planners with no `owns` all look alike to it.
  t.is(ofUp.filter((p) => !FRESH.has(p)).length, 0);
  t.is([...FRESH.keys()].filter((p) => !ofUp.includes(p)).length, 0);
  t.is(ofUp.length, FRESH.size);
});

test('what a planner writes on a fresh existing host is inside a path it owns; host volumes are not', async (t) => {
  const { rows, volumes } = await planned();
  t.true(rows.some((r) => r.written.length > 0));
  const stray = rows.flatMap(({ owned, written }) =>
    written.filter((p) => !volumes.includes(p) && !owned.some((o) => under(p, o))),
  );
  t.deepEqual(stray, []);
  t.deepEqual(
    volumes.filter((v) => LAB_PATHS.some((owned) => under(v, owned))),
    [],
  );
  t.true(
    rows.some((r) => r.written.some((p) => volumes.includes(p))),
    'the example has a host volume, made by up',
  );
});

test('every path a planner owns is written by it (the hash cache: by reading a large file)', async (t) => {
  const { rows } = await planned();
  const idle = [...FRESH.keys()].flatMap((planner) =>
    (planner.owns ?? []).filter(
      (owned) =>
        owned !== HASH_CACHE_ROOT && !rows.some((r) => r.planner === planner && r.written.some((p) => under(p, owned))),
    ),
  );
  t.deepEqual(idle, []);
  // The hash cache is owned by the planners that put files large enough for it: binaries and image tarballs.
  t.deepEqual(
    [...FRESH.keys()].filter((p) => p.owns?.includes(HASH_CACHE_ROOT)),
    [hashicorpBinaries, registryPushes, jobImageLoads],
  );
});

test("down removes exactly the planners' owned paths, a path inside a listed folder with its folder", (t) => {
  const declared = [...FRESH.keys()].flatMap((p) => p.owns ?? []);
  t.deepEqual(new Set(declared.filter((p) => !LAB_PATHS.some((l) => under(p, l)))), new Set());
  t.deepEqual(
    LAB_PATHS.filter((l) => !declared.includes(l)),
    [],
  );
  t.deepEqual(
    LAB_PATHS.filter((l) => LAB_PATHS.some((other) => other !== l && under(l, other))),
    [],
  );
  t.true(declared.includes(SET_ASIDE) && !LAB_PATHS.includes(SET_ASIDE), 'set-aside goes with /etc/nomad-lab');
  t.deepEqual([...LAB_PATHS].sort(), [
    '/etc/consul.d',
    '/etc/dnsmasq.d/10-consul.conf',
    '/etc/docker/registry',
    '/etc/nomad-lab',
    '/etc/nomad.d',
    '/etc/systemd/resolved.conf.d/nomad-lab-consul.conf',
    '/etc/systemd/system/consul.service',
    '/etc/systemd/system/nomad.service',
    '/opt/consul',
    '/opt/nomad',
    '/usr/local/bin/consul',
    '/usr/local/bin/nomad',
    '/var/cache/nomad-lab',
    '/var/lib/nomad-lab',
  ]);
  t.deepEqual(LAB_PATHS, ownedPaths(UP_STEPS));
});

test("a lab's own paths: the registry's CA folder, named after its address, beside every lab's", async (t) => {
  const { cluster } = await withRegistry();
  const address = cluster.spec.nodes[0]!.address;
  t.deepEqual(
    labPaths(cluster.spec).filter((p) => !LAB_PATHS.includes(p)),
    [`/etc/docker/certs.d/${address}:5000`],
  );
  t.deepEqual(labPaths((await existingHostsState()).cluster.spec), [...LAB_PATHS]);
});
