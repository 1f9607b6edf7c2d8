import { homedir } from 'node:os';
import { join } from 'node:path';
import { env } from '../env.ts';

/** Where downloaded and built things are kept between labs: `$NOMAD_LAB_CACHE`, else the user's cache folder. */
export function cacheDir(): string {
  const explicit = env.cacheDir();
  if (explicit) return explicit;
  const xdg = env.xdgCacheHome();
  return join(xdg || join(homedir(), '.cache'), 'nomad-lab');
}

/** A lab's own state (pinned host keys, gossip key, ...): `.nomad-lab/<lab name>/` beside its cluster file. */
export function labStateDir(cluster: { dir: string; spec: { name: string } }): string {
  return join(cluster.dir, '.nomad-lab', cluster.spec.name);
}

/** Where a lab's generated Vagrantfile lives: `vagrant/<lab name>/` beside its cluster file. */
export function vagrantDir(cluster: { dir: string; spec: { name: string } }): string {
  return join(cluster.dir, 'vagrant', cluster.spec.name);
}

/** The lab's own SSH key, which the docker backend's machines authorize from their first boot (`.pub` beside it). */
export function labKeyFile(cluster: { dir: string; spec: { name: string } }): string {
  return join(labStateDir(cluster), 'id_ed25519');
}

/** Where a lab's nodes' SSH host keys are pinned. */
export function knownHostsFile(cluster: { dir: string; spec: { name: string } }): string {
  return join(labStateDir(cluster), 'known_hosts');
}
