import { basename } from 'node:path';
import type { NodeSpec } from '../config/schema.ts';
import { runsTasks } from '../config/topology.ts';
import { podmanNodes } from '../config/drivers.ts';
import type { Fact } from '../facts/fact.ts';
import { runChange, type Change } from '../ops/change.ts';
import { dirStates, planDirs } from '../ops/dirs.ts';
import { fileStates, HASH_CACHE_ROOT, planFiles, writtenPaths, type FileState } from '../ops/files.ts';
import { remoteStep } from '../pipeline/remote-step.ts';
import type { Base, ImageTarball, Products } from '../pipeline/state.ts';
import { definePlanner } from '../pipeline/step.ts';
import { script } from '../remote/quote.ts';

/** nomad-lab's data on a node; `install -d` of the folder below makes it too. */
export const LAB_DATA_DIR = '/var/lib/nomad-lab';
export const IMAGE_DIR = `${LAB_DATA_DIR}/images`;

type Needs = Base & Pick<Products, 'tarballs'>;

const target = (file: string) => `${IMAGE_DIR}/${basename(file)}`;

/** Which of `tags` the node's Docker (or podman, whose own store a `docker save` tarball loads into as it is) has. */
export function engineImages(engine: 'docker' | 'podman', tags: readonly string[]): Fact<Set<string>> {
  const [exists, what] =
    engine === 'docker'
      ? ['docker image inspect --format "{{.Id}}" "$t" >/dev/null 2>&1', 'docker image inspect']
      : ['podman image exists "$t"', 'podman image exists'];
  return {
    command: script(`for t in "$@"; do ${exists} && echo "$t"; done; true`, tags, what),
    sudo: true,
    parse: (result) => new Set(result.stdout.split('\n').filter(Boolean)),
  };
}

/** The image tarballs sent to a node (its folder made first), as their facts show them missing or different. */
export function tarballUploads(
  tarballs: readonly ImageTarball[],
  facts: { dir: ReadonlyMap<string, string | undefined>; files: ReadonlyMap<string, FileState> },
): Change[] {
  const files = planFiles(
    tarballs.map((t) => ({
      path: target(t.file),
      source: { localPath: t.file, sha256: t.sha256 },
      sha256: t.sha256,
      mode: 0o600,
      owner: 'root',
      group: 'root',
    })),
    facts.files,
  );
  return [...planDirs([{ path: IMAGE_DIR, owner: 'root', mode: '700' }], facts.dir), ...files];
}

/**
 * Job images loaded into every client's Docker from the host's tarballs (no registry needed). Reading a tarball's
 * state remembers its sha256 in the node's hash cache. With a registry, the clients pull instead.
 */
export const jobImageLoads = definePlanner({
  nodes: ({ cluster, tarballs }: Needs) =>
    tarballs.length === 0 || cluster.spec.registry ? [] : cluster.spec.nodes.filter(runsTasks),
  facts: (_node: NodeSpec, { tarballs }: Needs) => ({
    dir: dirStates([IMAGE_DIR]),
    files: fileStates(tarballs.map((t) => target(t.file))),
    present: engineImages(
      'docker',
      tarballs.flatMap((t) => (t.tag ? [t.tag] : [])),
    ),
  }),
  plan(_node, facts, { tarballs }: Needs) {
    const uploads = tarballUploads(tarballs, facts);
    const written = writtenPaths(uploads);
    const loads = tarballs
      .filter((t) => written.has(target(t.file)) || (t.tag !== undefined && !facts.present.has(t.tag)))
      .map((t) =>
        runChange(`loaded ${t.tag ?? basename(t.file)} into docker`, ['docker', 'load', '-i', target(t.file)], {
          reason: t.tag && !facts.present.has(t.tag) ? `docker has no ${t.tag}` : 'the tarball changed',
        }),
      );
    return [...uploads, ...loads];
  },
  owns: [LAB_DATA_DIR, HASH_CACHE_ROOT],
});

/**
 * The same images in podman's own store on the clients that enable the podman driver, from the tarballs the
 * phase before put on the node: a podman task finds its image without a registry.
 */
export const podmanImageLoads = definePlanner({
  nodes: ({ cluster, tarballs }: Needs) => (tarballs.length === 0 ? [] : podmanNodes(cluster.spec)),
  facts: (_node: NodeSpec, { tarballs }: Needs) => ({
    present: engineImages(
      'podman',
      tarballs.flatMap((t) => (t.tag ? [t.tag] : [])),
    ),
  }),
  plan(_node, facts, { tarballs }: Needs) {
    // Built images only: a tarball of the cluster file's own has no tag known beforehand to ask podman about.
    return tarballs.flatMap((t) =>
      t.tag === undefined || facts.present.has(t.tag)
        ? []
        : [
            runChange(`loaded ${t.tag} into podman`, ['podman', 'load', '-q', '-i', target(t.file)], {
              reason: `podman has no ${t.tag}`,
            }),
          ],
    );
  },
});

export const loadJobImages = remoteStep({
  name: 'load job images on the clients',
  needs: ['tarballs'],
  makes: [],
  planners: [jobImageLoads, podmanImageLoads],
});
