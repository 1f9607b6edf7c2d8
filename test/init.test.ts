import { mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { loadCluster } from '../src/config/load.ts';
import { NomadLabError } from '../src/errors.ts';
import { initLab, starterFiles, STARTERS, type Starter } from '../src/init.ts';

const temp = () => mkdtemp(join(tmpdir(), 'nomad-lab-init-'));

test('starterFiles moves ../jobs/ paths into the folder and names the given schema', (t) => {
  const text =
    '# yaml-language-server: $schema=../schema/cluster.schema.json\nversion: 1\njobs:\n  - name: whoami\n    ' +
    'file: ../jobs/whoami.nomad.hcl\n';
  const files = starterFiles('examples/dev.yaml', text, '/opt/nomad-lab/schema/cluster.schema.json');
  t.is(
    files.clusterYaml,
    '# yaml-language-server: $schema=/opt/nomad-lab/schema/cluster.schema.json\nversion: 1\njobs:\n  - name: ' +
      'whoami\n    file: jobs/whoami.nomad.hcl\n',
  );
  t.deepEqual(files.jobs, [{ from: 'jobs/whoami.nomad.hcl', to: 'jobs/whoami.nomad.hcl' }]);
});

test("starterFiles leaves the default lab's jobs/ paths as they are", (t) => {
  const files = starterFiles('cluster.yaml', 'version: 1\njobs:\n  - { name: a, file: jobs/a.hcl }\n', '/s.json');
  t.is(files.clusterYaml, 'version: 1\njobs:\n  - { name: a, file: jobs/a.hcl }\n');
  t.deepEqual(files.jobs, [{ from: 'jobs/a.hcl', to: 'jobs/a.hcl' }]);
});

for (const starter of Object.keys(STARTERS) as Starter[]) {
  const title =
    `init --example ${starter} writes a lab that loads on its own, ` + "its schema line naming the package's schema";
  test(title, async (t) => {
    const dir = await temp();
    const { written } = await initLab(dir, starter);
    const cluster = await loadCluster(join(dir, 'cluster.yaml'));
    t.is(cluster.dir, dir);
    const text = await readFile(join(dir, 'cluster.yaml'), 'utf8');
    t.is(text.split('\n', 1)[0], `# yaml-language-server: $schema=${resolve('schema/cluster.schema.json')}`);
    t.deepEqual(written, ['cluster.yaml', ...cluster.spec.jobs.map((j) => `jobs/${j.file.split('/').at(-1)!}`)]);
    for (const job of cluster.spec.jobs) t.false(job.file.startsWith('..'), job.file);
  });
}

test('init refuses a folder that already has a cluster.yaml and writes nothing', async (t) => {
  const dir = await temp();
  await writeFile(join(dir, 'cluster.yaml'), 'mine\n');
  const error = await t.throwsAsync(initLab(dir, 'dev'), { instanceOf: NomadLabError });
  t.regex(error.message, /already has cluster\.yaml; .*nothing was written/);
  t.deepEqual(await readdir(dir), ['cluster.yaml']);
  t.is(await readFile(join(dir, 'cluster.yaml'), 'utf8'), 'mine\n');
});

test("init --example drops the example's allow_from, since the jobs are copied beside cluster.yaml", async (t) => {
  const dir = await temp();
  await initLab(dir, 'dev');
  const text = await readFile(join(dir, 'cluster.yaml'), 'utf8');
  t.false(text.includes('allow_from'));
  t.false(text.includes('../jobs'));
  t.deepEqual((await loadCluster(join(dir, 'cluster.yaml'))).spec.files.allow_from, []);
});

test('init does not follow a dangling symlink named cluster.yaml out of the folder', async (t) => {
  const dir = await temp();
  const outside = await temp();
  await symlink(join(outside, 'written-here.yaml'), join(dir, 'cluster.yaml'));
  const error = await t.throwsAsync(initLab(dir), { instanceOf: NomadLabError });
  t.regex(error.message, /already has cluster\.yaml/);
  t.deepEqual(await readdir(outside), []);
});

test('init does not write jobs through a symlinked jobs folder', async (t) => {
  const dir = await temp();
  const outside = await temp();
  await symlink(outside, join(dir, 'jobs'));
  const error = await t.throwsAsync(initLab(dir), { instanceOf: NomadLabError });
  t.is(
    error.message,
    `init: ${join(dir, 'jobs')} is a symlink; init writes jobs only into a folder of its own (nothing was written)`,
  );
  t.deepEqual(await readdir(outside), []);
  t.deepEqual(await readdir(dir), ['jobs']);
});
