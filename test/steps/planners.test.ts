import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { diffLines } from 'diff';
import { loadCluster } from '../../src/config/load.ts';
import type { PackageState, UnitState } from '../../src/facts/facts.ts';
import type { Change } from '../../src/ops/change.ts';
import type { VolumeState } from '../../src/ops/dirs.ts';
import type { FileState } from '../../src/ops/files.ts';
import { newUpState, type Base, type Products } from '../../src/pipeline/state.ts';
import type { NodePlanner } from '../../src/pipeline/step.ts';
import { providerFor } from '../../src/providers/index.ts';
import { isScript } from '../../src/remote/quote.ts';
import { agentAdoption } from '../../src/steps/adopt-agents.ts';
import { consulConfig } from '../../src/steps/configure-consul.ts';
import { nomadAgentImageLoad, nomadConfig } from '../../src/steps/configure-nomad.ts';
import { consulUser, hashicorpBinaries } from '../../src/steps/install-hashicorp.ts';
import { dockerService, installedPackages } from '../../src/steps/install-packages.ts';
import { jobImageLoads } from '../../src/steps/load-job-images.ts';
import { registryPushes, registryServer } from '../../src/steps/registry.ts';
import { dnsmasqForwarding, resolvedForwarding, resolvWithoutDnsmasq } from '../../src/steps/resolve-consul-dns.ts';

// The planners as data, pyinfra's way: facts in, changes out, from test/fixtures/planners/<planner>/<case>.json.
// A fixture holds the cluster file, the node, the facts as the fact readers return them (maps as objects, modes as
// `stat -c %a` prints them, a file's text inline or from a golden file), what the state adds, and the changes
// expected, written by hand: a file's content is left out, its diff given as the lines removed and added.

const FIXTURES = 'test/fixtures/planners';

/** Each planner by its fixture folder, with how its facts are read from JSON. */
const PLANNERS: Record<string, { planner: NodePlanner<never>; facts: (json: Json) => unknown }> = {
  'agent-adoption': { planner: agentAdoption, facts: (j) => j },
  'consul-user': { planner: consulUser, facts: (j) => j },
  'hashicorp-binaries': {
    planner: hashicorpBinaries,
    facts: (j) => ({ dirs: dirs(j['dirs']), binaries: files(j['binaries']) }),
  },
  'consul-config': { planner: consulConfig, facts: (j) => ({ files: files(j['files']), unit: unit(j['unit']) }) },
  'nomad-config': {
    planner: nomadConfig,
    facts: (j) => ({
      iface: j['iface'] ?? undefined,
      volumes: new Map(Object.entries((j['volumes'] ?? {}) as Record<string, VolumeState>)),
      files: files(j['files']),
      unit: unit(j['unit']),
    }),
  },
  'resolv-without-dnsmasq': {
    planner: resolvWithoutDnsmasq,
    facts: (j) => ({
      resolv: j['resolv'] ?? undefined,
      upstream: j['upstream'] ?? undefined,
      unit: unit(j['unit']),
      resolved: unit(j['resolved']),
    }),
  },
  'dnsmasq-forwarding': {
    planner: dnsmasqForwarding,
    facts: (j) => ({
      resolv: j['resolv'] ?? undefined,
      files: files(j['files']),
      unit: unit(j['unit']),
      resolved: unit(j['resolved']),
    }),
  },
  'resolved-forwarding': {
    planner: resolvedForwarding,
    facts: (j) => ({ files: files(j['files']), resolved: unit(j['resolved']) }),
  },
  'installed-packages': {
    planner: installedPackages,
    facts: (j) => ({ packages: packages(j['packages']), resolved: unit(j['resolved']) }),
  },
  'docker-service': {
    planner: dockerService,
    facts: (j) => ({
      files: files(j['files']),
      unit: unit(j['unit']),
      docker: j['docker'],
      packages: packages(j['packages']),
    }),
  },
  'nomad-agent-image': { planner: nomadAgentImageLoad, facts: (j) => ({ present: new Set(j['present'] as string[]) }) },
  'job-image-loads': {
    planner: jobImageLoads,
    facts: (j) => ({ dir: dirs(j['dir']), files: files(j['files']), present: new Set(j['present'] as string[]) }),
  },
  'registry-server': {
    planner: registryServer,
    facts: (j) => ({ packages: packages(j['packages']), files: files(j['files']), unit: unit(j['unit']) }),
  },
  'registry-pushes': {
    planner: registryPushes,
    facts: (j) => ({
      dir: dirs(j['dir']),
      files: files(j['files']),
      held: new Map(Object.entries(j['held'] as Record<string, string>)),
    }),
  },
};

type Json = Record<string, unknown>;

interface Fixture {
  cluster: string;
  node: string;
  /** What the state holds beyond the defaults below: binaries written this run, artifacts, tarballs. */
  state?: {
    binaries?: Record<string, ('consul' | 'nomad')[]>;
    artifacts?: Record<'consul' | 'nomad', { path: string; sha256: string }>;
    tarballs?: Products['tarballs'];
    /** The registry's secrets as `up` makes them, obviously fake. */
    registry?: boolean;
  };
  facts: Json;
  /** The changes planned, or the message of the error planning throws. */
  changes?: unknown[];
  error?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `{ path: null | { mode, owner, group, text | golden [+ replace: [from, to]] | sha256 } }` as fileStates parses it:
 * absent, or a text file (its sha256 computed here) or a binary (its sha256 given).
 */
function files(json: unknown): Map<string, FileState> {
  return new Map(
    Object.entries((json ?? {}) as Record<string, Json | null>).map(([path, f]): [string, FileState] => {
      if (f === null) return [path, { exists: false }];
      const golden = f['golden'] as string | undefined;
      const [from, to] = (f['replace'] as [string, string] | undefined) ?? ['', ''];
      const text =
        golden === undefined
          ? (f['text'] as string | undefined)
          : readFileSync(join('test/fixtures/golden', golden), 'utf8').replace(from, to);
      const state = {
        exists: true as const,
        mode: Number.parseInt(f['mode'] as string, 8),
        owner: f['owner'] as string,
        group: f['group'] as string,
        sha256: text === undefined ? (f['sha256'] as string) : sha256(text),
      };
      return [path, text === undefined ? state : { ...state, text }];
    }),
  );
}

/** `{ path: "750 consul" | null }` as dirStates parses it. */
function dirs(json: unknown): Map<string, string | undefined> {
  return new Map(Object.entries((json ?? {}) as Record<string, string | null>).map(([p, s]) => [p, s ?? undefined]));
}

/** `{ name: "version" | null }`: installed at that version, or not installed. */
function packages(json: unknown): Map<string, PackageState> {
  return new Map(
    Object.entries((json ?? {}) as Record<string, string | null>).map(([name, version]) => [
      name,
      version === null ? { installed: false } : { installed: true, version },
    ]),
  );
}

function unit(json: unknown): UnitState {
  return json as UnitState;
}

async function stateFor(fixture: Fixture): Promise<Base & Products> {
  const cluster = await loadCluster(fixture.cluster);
  const artifact = (product: 'consul' | 'nomad') => ({
    product,
    version: cluster.spec.versions[product],
    platform: 'linux_amd64',
    path: fixture.state?.artifacts?.[product].path ?? `/cache/${product}`,
    sha256: fixture.state?.artifacts?.[product].sha256 ?? '0'.repeat(64),
    size: 1,
    from: 'cache' as const,
  });
  return {
    ...newUpState(cluster, { provider: providerFor(cluster) }),
    nodeImage: '',
    tarballs: fixture.state?.tarballs ?? [],
    artifacts: { consul: artifact('consul'), nomad: artifact('nomad') },
    endpoints: [],
    remotes: new Map(),
    // The golden files' key: a fixed, obviously fake one.
    gossipKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    security: fixture.state?.registry
      ? {
          registry: {
            credentials: { user: 'nomadlab', password: 'FAKE-PASSWORD-0000000000', htpasswd: 'nomadlab:FAKE' },
            tls: { ca: 'FAKE CA PEM\n', cert: 'FAKE CERT PEM\n', key: 'FAKE KEY PEM\n' },
          },
        }
      : {},
    binaries: new Map(Object.entries(fixture.state?.binaries ?? {}).map(([node, list]) => [node, new Set(list)])),
  };
}

/** A change as a fixture writes it: no file contents, a diff as the lines it removes and adds. */
function summary(change: Change): Json {
  const head = {
    kind: change.kind,
    description: change.description,
    ...(change.reason ? { reason: change.reason } : {}),
  };
  switch (change.kind) {
    case 'run':
      return {
        ...head,
        command: isScript(change.command) ? { label: change.command.label, args: change.command.args } : change.command,
        ...(change.sudo ? {} : { sudo: false }),
        ...(change.stdin === undefined ? {} : { stdin: change.stdin }),
      };
    case 'put':
      return {
        ...head,
        path: change.path,
        mode: change.mode.toString(8),
        owner: change.owner,
        group: change.group,
        ...(typeof change.source === 'object' && 'localPath' in change.source
          ? { source: change.source.localPath }
          : {}),
        ...(change.diff === undefined ? {} : { diff: diffSummary(change.diff) }),
      };
    case 'job':
      return { ...head, job: change.job.ID };
    case 'api':
      return { ...head, request: `${change.method} ${change.path}` };
  }
}

function diffSummary({ before, after }: { before: string | undefined; after: string }): Json | string {
  if (before === undefined) return 'new file';
  const parts = diffLines(before, after);
  const lines = (part: { value: string }) => part.value.replace(/\n$/, '').split('\n');
  return {
    removed: parts.filter((p) => p.removed).flatMap(lines),
    added: parts.filter((p) => p.added).flatMap(lines),
  };
}

const cases = readdirSync(FIXTURES).flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ dir, file })),
);

test('every fixture folder names a planner, and every planner has fixtures', (t) => {
  t.deepEqual([...new Set(cases.map((c) => c.dir))].sort(), Object.keys(PLANNERS).sort());
});

for (const { dir, file } of cases) {
  test(`${dir}: ${file.replace(/\.json$/, '')}`, async (t) => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, dir, file), 'utf8')) as Fixture;
    const { planner, facts } = PLANNERS[dir]!;
    const state = await stateFor(fixture);
    const node = state.cluster.spec.nodes.find((n) => n.name === fixture.node);
    if (!node) return t.fail(`no node ${fixture.node} in ${fixture.cluster}`);
    t.true(planner.nodes(state).includes(node), `the planner works on ${fixture.node}`);
    const plan = () => planner.plan(node, facts(fixture.facts), state);
    if (fixture.error !== undefined) {
      t.throws(plan, { message: fixture.error });
      return;
    }
    t.deepEqual(plan().map(summary), fixture.changes);
  });
}
