import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { renderVagrantfile } from '../../src/render/vagrantfile.ts';
import { loadCluster } from '../../src/config/load.ts';
import { libvirt, NODE_IMAGE, virtualbox, withProvider } from '../providers/clusters.ts';
import { requirePreparedHost } from './helpers.ts';

// Real vagrant, no hypervisor: libvirt settings are checked by vagrant-libvirt; VirtualBox
// cannot be detected here, so its rendering is checked with the provider blocks skipped
// (lab-host-notes §6).

test.before(requirePreparedHost);

async function validate(t: { teardown(fn: () => unknown): void }, text: string, backend: string, args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-validate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'Vagrantfile'), text);
  return execa('vagrant', ['validate', ...args], {
    cwd: dir,
    reject: false,
    all: true,
    env: { VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_DEFAULT_PROVIDER: backend },
  });
}

test('the virtualbox rendering passes vagrant validate --ignore-provider', async (t) => {
  const text = renderVagrantfile(await withProvider('examples/ha.yaml', virtualbox));
  const result = await validate(t, text, 'virtualbox', ['--ignore-provider']);
  t.is(result.exitCode, 0, result.all);
  t.regex(result.all ?? '', /validated successfully/);
});

test('the libvirt rendering passes vagrant validate with vagrant-libvirt checking its settings', async (t) => {
  const text = renderVagrantfile(await withProvider('examples/ha.yaml', libvirt));
  const result = await validate(t, text, 'libvirt', []);
  t.is(result.exitCode, 0, result.all);
  t.regex(result.all ?? '', /validated successfully/);
});

test('the docker rendering passes vagrant validate', async (t) => {
  const text = renderVagrantfile(await loadCluster('cluster.yaml'), { nodeImage: NODE_IMAGE });
  const result = await validate(t, text, 'docker', []);
  t.is(result.exitCode, 0, result.all);
});

test(
  'vagrant validate does catch a libvirt setting that ' + 'does not exist (so the pass above means something)',
  async (t) => {
    const text = renderVagrantfile(await withProvider('examples/ha.yaml', libvirt)).replace(
      'lv.cpus = 1',
      'lv.cpus = 1\n      lv.bogus = 2',
    );
    const result = await validate(t, text, 'libvirt', []);
    t.is(result.exitCode, 1, result.all);
    t.regex(result.all ?? '', /bogus/);
  },
);
