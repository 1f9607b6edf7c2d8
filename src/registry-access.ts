import { join } from 'node:path';
import type { Cluster } from './config/load.ts';
import { registryHost } from './config/registry.ts';
import { NomadLabError } from './errors.ts';
import { labStateDir } from './host/dirs.ts';
import { readRegistryCredentials } from './state/registry-secrets.ts';

/** How a person reaches the lab registry: its address, user, the lab CA's file, and (asked for) the password. */
export interface RegistryAccess {
  /** `10.82.0.10:5000`: what job files put before an image's name. */
  host: string;
  user: string;
  /** The lab CA on this host, for `curl --cacert` or Docker's certs.d. */
  caFile: string;
  password: string;
}

/** The registry of a lab `up` has made: an error for a cluster file without one, or before `up`. */
export async function registryAccess(cluster: Pick<Cluster, 'dir' | 'spec'>): Promise<RegistryAccess> {
  const host = registryHost(cluster.spec);
  if (host === undefined)
    throw new NomadLabError('the cluster file has no registry: add `registry: { node: NAME }` and run `nomad-lab up`');
  const dir = labStateDir(cluster);
  const credentials = await readRegistryCredentials(dir);
  if (!credentials) throw new NomadLabError(`the lab's state folder ${dir} holds no registry password: run up first`);
  return { host, user: credentials.user, caFile: join(dir, 'tls', 'ca.pem'), password: credentials.password };
}

/** What `nomad-lab registry` prints: everything but the password, which `--password` prints alone. */
export function renderRegistryAccess(access: RegistryAccess, file: string): string {
  return [
    `registry  https://${access.host} (images: ${access.host}/NAME:TAG)`,
    `user      ${access.user}`,
    `password  nomad-lab registry${file === 'cluster.yaml' ? '' : ` -f ${file}`} --password`,
    `CA        ${access.caFile}`,
  ].join('\n');
}
