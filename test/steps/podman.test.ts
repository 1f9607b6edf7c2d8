import test from 'ava';
import { loadCluster, type Cluster } from '../../src/config/load.ts';
import type { UnitState } from '../../src/facts/facts.ts';
import { newUpState, type Base, type Products } from '../../src/pipeline/state.ts';
import { providerFor } from '../../src/providers/index.ts';
import { podmanImageLoads } from '../../src/steps/load-job-images.ts';
import { containerNodeFiles, podmanService } from '../../src/steps/podman-service.ts';

// The podman planners as data: a fresh client, a converged one, a VM, and images podman has or lacks.

const stopped: UnitState = { loaded: false, active: false, failed: false, enabled: false, startedAt: 0 };
const running: UnitState = { loaded: true, active: true, failed: false, enabled: true, startedAt: 1 };

/** What the planners read; the other products are the other steps' (cast, as the planner fixtures do). */
async function state(backend: 'docker' | 'libvirt' = 'docker'): Promise<Base & Products> {
  const loaded = await loadCluster('examples/podman.yaml');
  const provider = { ...loaded.spec.provider, backend } as Cluster['spec']['provider'];
  const cluster = { ...loaded, spec: { ...loaded.spec, provider } };
  const planned: Base & Pick<Products, 'tarballs'> = {
    ...newUpState(cluster, { provider: providerFor(cluster) }),
    tarballs: [
      { file: '/cache/toolbox-abc.tar', tag: 'nomadlab/toolbox:abc', sha256: 'c'.repeat(64) },
      { file: '/cache/whoami-def.tar', tag: 'nomadlab/whoami:def', sha256: 'd'.repeat(64) },
      { file: '/cache/own.tar', sha256: 'e'.repeat(64) },
    ],
  };
  return planned as Base & Products;
}

const described = (changes: { description: string }[]) => changes.map((c) => c.description);

test('a fresh client in a node container: vfs storage, runc, /proc/sys writable at boot, the API socket', async (t) => {
  const s = await state();
  const [client] = podmanService.nodes(s);
  t.is(client?.name, 'client1');
  const facts = { files: new Map(), procSys: stopped, socket: stopped };
  t.deepEqual(described(podmanService.plan(client!, facts, s)), [
    'wrote /etc/containers/storage.conf (new file)',
    'wrote /etc/containers/containers.conf (new file)',
    'wrote /etc/systemd/system/nomad-lab-proc-sys.service (new file)',
    'reload systemd units',
    'enable nomad-lab-proc-sys.service',
    'start nomad-lab-proc-sys.service',
    'reload systemd units',
    'enable podman.socket',
    'start podman.socket',
  ]);
});

test('a converged client changes nothing', async (t) => {
  const s = await state();
  const [client] = podmanService.nodes(s);
  const files = new Map(
    containerNodeFiles().map((f) => [
      f.path,
      { exists: true, mode: f.mode, owner: 'root', group: 'root', sha256: f.sha256 },
    ]),
  );
  t.deepEqual(podmanService.plan(client!, { files, procSys: running, socket: running }, s), []);
});

test('a VM needs only the API socket: its podman has storage and cgroups of its own', async (t) => {
  const s = await state('libvirt');
  const [client] = podmanService.nodes(s);
  t.deepEqual(described(podmanService.plan(client!, { files: new Map(), procSys: stopped, socket: stopped }, s)), [
    'reload systemd units',
    'enable podman.socket',
    'start podman.socket',
  ]);
});

test("built images podman lacks are loaded into it; a file's own tarball (no tag known) stays docker's", async (t) => {
  const s = await state();
  const [client] = podmanImageLoads.nodes(s);
  const changes = podmanImageLoads.plan(client!, { present: new Set(['nomadlab/whoami:def']) }, s);
  t.deepEqual(described(changes), ['loaded nomadlab/toolbox:abc into podman']);
  t.like(changes[0], { command: ['podman', 'load', '-q', '-i', '/var/lib/nomad-lab/images/toolbox-abc.tar'] });
  t.deepEqual(podmanImageLoads.nodes({ ...s, tarballs: [] }), []);
});
