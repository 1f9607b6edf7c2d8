import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NomadLabError } from '../errors.ts';
import { commandError, run } from '../host/run.ts';
import { finishImage, imageExists, imageSize, importRoot } from './docker.ts';
import { debianMirror, IMAGES_DIR, recipeHash, recipeLabels } from './recipe.ts';

/** The Debian suites a node image is built from; the first is the default, and every job image's. */
export const NODE_SUITES = ['bookworm', 'trixie'] as const;
export type NodeSuite = (typeof NODE_SUITES)[number];
export const NODE_SUITE: NodeSuite = 'bookworm';
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

/**
 * The node recipe's hash: its files, the Debian suite and mirror (the image's apt sources), and what the build adds.
 */
export async function nodeRecipeHash(suite: NodeSuite = NODE_SUITE): Promise<string> {
  return recipeHash(NODE_DIR, NODE_FILES, [suite, await debianMirror(), ...IMPORT_CHANGES, ...FINISH_LINES]);
}

/**
 * The recipe label of a suite's node image: `node` for the default suite, `node-<suite>` for another, so
 * building one suite never removes the other's current image as old.
 */
export function nodeRecipeName(suite: NodeSuite = NODE_SUITE): string {
  return suite === NODE_SUITE ? 'node' : `node-${suite}`;
}

/** `<hash>` for the default suite (the tags every earlier build has), `<suite>-<hash>` for another. */
function bareTag(name: string, hash: string, suite: NodeSuite): string {
  return suite === NODE_SUITE ? `${name}:${hash}` : `${name}:${suite}-${hash}`;
}

/** Package names as Debian writes them: nothing else reaches the preload build's apt command. */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The preloaded image's layer on top of the bare node image: the packages installed as a node's apt would
 * (no recommends), and none of their services enabled, so a server does not run Docker and every service
 * starts only once `up` has written its config. Base image, then this layer: built without a registry.
 */
export function preloadDockerfile(base: string, packages: readonly string[]): string {
  const bad = packages.find((p) => !DEBIAN_PACKAGE.test(p));
  if (bad !== undefined) throw new TypeError(`not a Debian package name: ${JSON.stringify(bad)}`);
  const names = [...packages].sort().join(' ');
  const enabled = (file: string) =>
    `systemctl list-unit-files --state=enabled --no-legend | awk '{print $1}' | sort > ${file}`;
  return [
    `FROM ${base}`,
    `RUN ${enabled('/tmp/enabled-before')} \\`,
    ' && apt-get update -q \\',
    ` && DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Acquire::Retries=3 ` +
      `--no-install-recommends ${names} \\`,
    ` && ${enabled('/tmp/enabled-after')} \\`,
    ' && for unit in $(comm -13 /tmp/enabled-before /tmp/enabled-after); do systemctl disable "$unit"; done \\',
    ' && apt-get clean && rm -rf /tmp/enabled-* /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log ' +
      '/usr/share/doc/* /usr/share/man/*',
    '',
  ].join('\n');
}

/**
 * `name:<recipe hash>`, or with preloaded packages `name:<recipe hash>-<their hash>`: the tag the Vagrantfile names.
 * Another suite than bookworm puts its name first: `name:trixie-<recipe hash>`.
 */
export async function nodeImageTag(
  name: string,
  preload: readonly string[] = [],
  suite: NodeSuite = NODE_SUITE,
): Promise<string> {
  const base = bareTag(name, await nodeRecipeHash(suite), suite);
  return preload.length === 0
    ? base
    : `${base}-${createHash('sha256').update(preloadDockerfile('', preload)).digest('hex').slice(0, 6)}`;
}

export interface NodeImageOptions {
  name: string;
  recipe?: NodeRecipe;
  /** The Debian suite; bookworm unless named. */
  suite?: NodeSuite;
  preload?: readonly string[];
  onProgress?: (line: string) => void;
}

/**
 * The systemd+sshd machine image for the Vagrant docker backend, with `preload`'s packages installed
 * when any are named (a layer on the bare image); each built only when its recipe changed.
 */
export async function ensureNodeImage(options: NodeImageOptions): Promise<ImageResult> {
  const base = await ensureBareNodeImage(options);
  const preload = options.preload ?? [];
  if (preload.length === 0) return base;
  const tag = await nodeImageTag(options.name, preload, options.suite);
  if (await imageExists(tag)) return { hash: base.hash, tag, built: false, size: await imageSize(tag) };
  options.onProgress?.(`preloading ${[...preload].sort().join(', ')} into ${tag}`);
  // The layer inherits the base's recipe labels: it is removed as old together with its base.
  await run('docker', ['build', '-q', '-t', tag, '-'], {
    input: preloadDockerfile(base.tag, preload),
    hint:
      'the node image installs its preloaded packages with apt from the Debian mirror; `provider.preload: ' +
      'false` in cluster.yaml does without',
  });
  return { hash: base.hash, tag, built: true, size: await imageSize(tag) };
}

async function ensureBareNodeImage(options: NodeImageOptions): Promise<ImageResult> {
  const suite = options.suite ?? NODE_SUITE;
  if (options.recipe === 'dockerfile' && suite !== NODE_SUITE)
    throw new NomadLabError(
      `the dockerfile recipe ` +
        `builds ${NODE_SUITE} only (images/node/Dockerfile); ${suite} is built with the ` +
        `debootstrap recipe`,
    );
  const hash = await nodeRecipeHash(suite);
  const tag = bareTag(options.name, hash, suite);
  if (await imageExists(tag)) return { hash, tag, built: false, size: await imageSize(tag) };
  const say = options.onProgress ?? (() => {});
  const labels = recipeLabels(nodeRecipeName(suite), hash);
  if (options.recipe === 'dockerfile') {
    say(`docker build ${NODE_DIR}`);
    await run('docker', ['build', ...labels.flatMap((l) => ['--label', l]), '-t', tag, NODE_DIR]);
  } else {
    await buildOffline(tag, suite, labels, say);
  }
  return { hash, tag, built: true, size: await imageSize(tag) };
}

async function buildOffline(
  tag: string,
  suite: NodeSuite,
  labels: readonly string[],
  say: (line: string) => void,
): Promise<void> {
  const packages = (await readFile(join(NODE_DIR, 'packages'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const mirror = await debianMirror();
  const root = await mkdtemp('/var/tmp/nomad-lab-node-root-');
  try {
    await debootstrap(root, packages, mirror, say, suite);
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

/** A minbase Debian root of `suite` with `packages`, in `root`; progress lines go to `say`. */
export async function debootstrap(
  root: string,
  packages: readonly string[],
  mirror: string,
  say: (line: string) => void,
  suite: NodeSuite = NODE_SUITE,
): Promise<void> {
  say(`debootstrap ${suite} from ${mirror}`);
  const child = execa('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, suite, root, mirror], {
    reject: false,
    all: true,
  });
  child.all?.on('data', (chunk: Buffer) => {
    const line = chunk.toString().trim().split('\n').at(-1);
    if (line) say(line);
  });
  const result = await child;
  if (result.failed)
    throw commandError(
      result,
      'debootstrap needs root and a reachable Debian mirror (NOMAD_LAB_DEBIAN_MIRROR overrides it)',
    );
}
