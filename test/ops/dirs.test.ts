import { chmod, mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readFacts } from '../../src/facts/batch.ts';
import { normalVolumePath, planVolumeDirs, volumeStates } from '../../src/ops/dirs.ts';
import { applyChanges } from '../../src/pipeline/apply.ts';
import { isScript, type Command } from '../../src/remote/quote.ts';
import type { Remote } from '../../src/remote/remote.ts';

// The script runs here, in a temporary folder, as it would on a node (as this user instead of root).

const shell = (command: Command) =>
  execa(
    isScript(command) ? 'sh' : command[0]!,
    isScript(command) ? ['-c', command.script, 'sh', ...(command.args ?? [])] : command.slice(1),
    { reject: false },
  );
const local = {
  node: 'local',
  exec: async (command: Command) => {
    const { exitCode, stdout, stderr } = await shell(command);
    return { exitCode: exitCode ?? 1, stdout: String(stdout), stderr: String(stderr) };
  },
  run: async (command: Command) => {
    const result = await shell(command);
    if (result.exitCode !== 0) throw new Error(String(result.stderr));
    return result;
  },
} as unknown as Remote;

/** Facts, plan, apply for host volume folders, here: what up does on a node. */
async function ensureVolumeDirs(remote: Remote, paths: string[], wanted: { owner: string; mode: string }) {
  const normal = paths.map(normalVolumePath);
  const { volumes } = await readFacts(remote, { volumes: volumeStates(normal) });
  const { changes, kept } = planVolumeDirs(remote.node, normal, wanted, volumes);
  await applyChanges({ changes: [] }, remote, changes);
  return { made: changes.map((c) => c.description.replace('made host volume folder ', '')), kept };
}

const wanted = { owner: userInfo().username, mode: '755' };

async function tempDir(t: ExecutionContext): Promise<string> {
  // realpath: the script compares each path with its resolved form, and tmpdir may be a symlink.
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'nomad-lab-dirs-')));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a missing host volume folder is made, with its parents', async (t) => {
  const path = join(await tempDir(t), 'srv', 'nomad', 'data');
  t.deepEqual(await ensureVolumeDirs(local, [`${path}/`], wanted), { made: [path], kept: [] });
  t.is((await stat(path)).mode & 0o777, 0o755);
  t.deepEqual(await ensureVolumeDirs(local, [path], wanted), { made: [], kept: [] });
});

test('a folder that was there is left as it is, and said so', async (t) => {
  const path = join(await tempDir(t), 'private');
  await mkdir(path);
  await chmod(path, 0o700);
  t.deepEqual(await ensureVolumeDirs(local, [path], wanted), {
    made: [],
    kept: [`${path} (mode 700, owner ${wanted.owner})`],
  });
  t.is((await stat(path)).mode & 0o777, 0o700);
});

test('a path through a symlink is an error, and nothing is made', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'etc'));
  await symlink(join(dir, 'etc'), join(dir, 'srv'));
  const error = await t.throwsAsync(ensureVolumeDirs(local, [join(dir, 'srv', 'data')], wanted));
  t.is(
    error?.message,
    `[local] host ` +
      `volume ${dir}/srv/data leads through a symlink to ${dir}/etc/data: nomad-lab neither follows ` +
      `nor replaces it; point the volume at a real folder`,
  );
  await t.throwsAsync(stat(join(dir, 'etc', 'data')), { code: 'ENOENT' });
});

test('a file where the folder should be is an error', async (t) => {
  const path = join(await tempDir(t), 'data');
  await writeFile(path, '');
  const error = await t.throwsAsync(ensureVolumeDirs(local, [path], wanted));
  t.is(
    error?.message,
    `[local] host volume ${path} exists and is not a folder: remove it, or point the volume elsewhere`,
  );
});
