import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { labCgroupParent, parseLabContainers, removeLabCgroups } from '../../src/providers/vagrant/docker-leftovers.ts';
import { CommandError, ProviderError } from '../../src/errors.ts';
import { machineInOutput, vagrantFailure } from '../../src/providers/vagrant/vagrant-command.ts';
import { writeVagrantfile } from '../../src/providers/vagrant/write-vagrantfile.ts';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-vagrant-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the Vagrantfile is written when new or changed, and left alone when the same', async (t) => {
  const dir = join(await tempDir(t), 'vagrant', 'lab');
  t.true(await writeVagrantfile(dir, 'one\n'));
  const first = (await stat(join(dir, 'Vagrantfile'))).mtimeMs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.false(await writeVagrantfile(dir, 'one\n'));
  t.is((await stat(join(dir, 'Vagrantfile'))).mtimeMs, first);
  t.true(await writeVagrantfile(dir, 'two\n'));
  t.is(await readFile(join(dir, 'Vagrantfile'), 'utf8'), 'two\n');
  t.deepEqual(await readdir(dir), ['Vagrantfile']);
});

test('a failed run names the last node the output mentions', (t) => {
  const output =
    '==> server: Creating the container...\n    client1: Name: lab-client1\n==> client1: An error ' +
    'occurred\nsome other line\n';
  t.is(machineInOutput(output, ['server', 'client1']), 'client1');
  t.is(machineInOutput('==> default: x\n', ['server']), undefined);
});

test("cgroup cleanup removes this lab's empty folders and nothing else", async (t) => {
  const root = await tempDir(t);
  const id = 'a'.repeat(64);
  const mine = [
    join('memory', 'docker', id, 'init.scope'),
    join('cpuset', labCgroupParent('lab', 'client1', 'docker').slice(1), 'x'),
  ];
  const others = [
    join('memory', 'docker', 'b'.repeat(64)),
    join('memory', labCgroupParent('lab2', 'client1', 'docker').slice(1)),
    join('memory', 'nomad'),
  ];
  for (const dir of [...mine, ...others]) await mkdir(join(root, dir), { recursive: true });
  t.is(await removeLabCgroups('lab', [id], root), 4);
  t.deepEqual((await readdir(join(root, 'memory'))).sort(), ['docker', 'nomad', 'nomad-lab.lab2.client1.docker']);
  t.deepEqual(await readdir(join(root, 'memory', 'docker')), ['b'.repeat(64)]);
  t.deepEqual(await readdir(join(root, 'cpuset')), []);
});

test('cgroup parents never collide across labs whose names share a prefix', (t) => {
  t.not(labCgroupParent('nomad-lab', 'client1', 'docker'), labCgroupParent('nomad', 'lab-client1', 'docker'));
});

test("a vagrant failure names the machines and carries the command's stderr tail", (t) => {
  const cause = new CommandError(
    'host',
    'vagrant up --provider=docker --parallel',
    1,
    'Stderr: docker: Error response from daemon: conflict.',
  );
  const error = vagrantFailure('up', ['client1'], cause);
  t.true(error instanceof ProviderError);
  t.is(error.shortMessage, 'vagrant up failed for client1');
  t.is(
    error.message,
    'vagrant up failed for client1\n[host] exit 1: vagrant up --provider=docker --parallel\n  | Stderr: docker: ' +
      'Error response from daemon: conflict.',
  );
  t.is(error.cause, cause);
});

test("down takes only containers with a node's name and the lab's label", (t) => {
  const listing = [
    `${'a'.repeat(64)} lab-server lab`,
    `${'b'.repeat(64)} lab-client1 `,
    `${'c'.repeat(64)} lab-client2 other-lab`,
    `${'d'.repeat(64)} lab-unrelated lab`,
    `${'e'.repeat(64)} something-else `,
    '',
  ].join('\n');
  const found = parseLabContainers(listing, 'lab', ['server', 'client1', 'client2']);
  t.deepEqual([...found.ours], [['lab-server', 'a'.repeat(64)]]);
  t.deepEqual(found.strangers, ['lab-client1', 'lab-client2']);
});
