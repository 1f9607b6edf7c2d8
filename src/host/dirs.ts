import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloaded and built things are kept between labs: `$NOMAD_LAB_CACHE`, else the user's cache folder. */
export function cacheDir(): string {
  const explicit = process.env['NOMAD_LAB_CACHE'];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg || join(homedir(), '.cache'), 'nomad-lab');
}
