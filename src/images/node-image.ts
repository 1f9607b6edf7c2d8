import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { commandError, run } from '../host/run.ts';
import { finishImage, imageExists, imageSize, importRoot } from './docker.ts';
import { debianMirror, IMAGES_DIR, recipeHash, recipeLabels } from './recipe.ts';

export const NODE_SUITE = 'bookworm';
const NODE_DIR = join(IMAGES_DIR, 'node');
/** The node recipe's files, in images/node/. */
export const NODE_FILES = ['packages', 'configure.sh', 'vagrant.pub', 'Dockerfile'];
const IMPORT_CHANGES = ['CMD ["/sbin/init"]', 'ENV container=docker'];
const FINISH_LINES = ['STOPSIGNAL SIGRTMIN+3'];

export type NodeRecipe = 'debootstrap' | 'dockerfile';

export interface ImageResult {
  hash: string;
  tag: string;
  built: boolean;
  size: number;
}

/** The node recipe's hash: its files, the Debian suite and mirror (the image's apt sources), and what the build adds. */
export async function nodeRecipeHash(): Promise<string> {
  return recipeHash(NODE_DIR, NODE_FILES, [NODE_SUITE, await debianMirror(), ...IMPORT_CHANGES, ...FINISH_LINES]);
}

/** `name:<recipe hash>`: the tag the Vagrantfile names for the docker backend. */
export async function nodeImageTag(name: string): Promise<string> {
  return `${name}:${await nodeRecipeHash()}`;
}

/** The systemd+sshd machine image for the Vagrant docker backend; built only when its recipe changed. */
export async function ensureNodeImage(options: { name: string; recipe?: NodeRecipe; onProgress?: (line: string) => void }): Promise<ImageResult> {
  const hash = await nodeRecipeHash();
  const tag = `${options.name}:${hash}`;
  if (await imageExists(tag)) return { hash, tag, built: false, size: await imageSize(tag) };
  const say = options.onProgress ?? (() => {});
  const labels = recipeLabels('node', hash);
  if (options.recipe === 'dockerfile') {
    say(`docker build ${NODE_DIR}`);
    await run('docker', ['build', ...labels.flatMap((l) => ['--label', l]), '-t', tag, NODE_DIR]);
  } else {
    await buildOffline(tag, labels, say);
  }
  return { hash, tag, built: true, size: await imageSize(tag) };
}

async function buildOffline(tag: string, labels: readonly string[], say: (line: string) => void): Promise<void> {
  const packages = (await readFile(join(NODE_DIR, 'packages'), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
  const mirror = await debianMirror();
  const root = await mkdtemp('/var/tmp/nomad-lab-node-root-');
  try {
    say(`debootstrap ${NODE_SUITE} from ${mirror}`);
    const debootstrap = execa('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, NODE_SUITE, root, mirror], { reject: false, all: true });
    debootstrap.all?.on('data', (chunk: Buffer) => {
      const line = chunk.toString().trim().split('\n').at(-1);
      if (line) say(line);
    });
    const result = await debootstrap;
    if (result.failed) throw commandError(result, 'debootstrap needs root and a reachable Debian mirror (NOMAD_LAB_DEBIAN_MIRROR overrides it)');
    await copyFile(join(NODE_DIR, 'configure.sh'), join(root, 'tmp/configure.sh'));
    await copyFile(join(NODE_DIR, 'vagrant.pub'), join(root, 'tmp/vagrant.pub'));
    say('configuring the root (users, sshd, systemd)');
    await run('chroot', [root, '/bin/sh', '/tmp/configure.sh']);
    say(`docker import as ${tag}`);
    const id = await importRoot(root, IMPORT_CHANGES);
    await finishImage(id, tag, [...FINISH_LINES, `LABEL ${labels.join(' ')}`]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
