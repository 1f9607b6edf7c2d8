import { probe, run } from '../../host/run.ts';
import type { HostShare } from '../../remote/endpoint.ts';
import { AUTHORIZED_KEYS, HOST_CACHE_ON_NODE } from '../../render/docker-node-flags.ts';

/** What one `docker inspect` says of a node container. */
export interface NodeContainer {
  id: string;
  running: boolean;
  /** Where the host reaches the container's sshd (Vagrant publishes port 22 on the host's loopback). */
  ssh?: { host: string; port: number };
  /**
   * Whether the lab's key file is mounted as the vagrant user's authorized_keys (machines made since nomad-lab did so).
   */
  labKeyMounted: boolean;
  /** nomad-lab's cache as the machine sees it, when it is mounted. */
  hostShare?: HostShare;
}

const FORMAT = [
  '{{.Name}}',
  '{{.Id}}',
  '{{.State.Running}}',
  '{{with index .NetworkSettings.Ports "22/tcp"}}{{with index . 0}}{{.HostIp}} {{.HostPort}}{{end}}{{end}}',
  // Last: JSON, which may hold the separator.
  '{{json .Mounts}}',
].join('|');

/** The containers of `names` that exist, by name; one `docker inspect` for all. */
export async function inspectNodeContainers(names: readonly string[]): Promise<Map<string, NodeContainer>> {
  // docker inspect exits 1 when one name is unknown, and still prints the others.
  const result = await probe('docker', ['inspect', '--format', FORMAT, ...names], { timeout: 15_000 });
  return parseNodeContainers(result.stdout);
}

/** `docker inspect --format FORMAT` output, a line per container, by name. */
export function parseNodeContainers(output: string): Map<string, NodeContainer> {
  const containers = new Map<string, NodeContainer>();
  for (const line of output.split('\n')) {
    const [name, id, running, ssh, ...rest] = line.trim().split('|');
    const mounts = parseMounts(rest.join('|'));
    if (!name || !id || ssh === undefined || !mounts) continue;
    const [host, port] = ssh.split(' ');
    const cache = mounts.find((m) => m.Destination === HOST_CACHE_ON_NODE && typeof m.Source === 'string');
    containers.set(name.replace(/^\//, ''), {
      id,
      running: running === 'true',
      ...(host !== undefined && port
        ? { ssh: { host: host === '' || host === '0.0.0.0' ? '127.0.0.1' : host, port: Number(port) } }
        : {}),
      labKeyMounted: mounts.some((m) => m.Destination === AUTHORIZED_KEYS),
      ...(cache ? { hostShare: { hostDir: cache.Source!, nodeDir: HOST_CACHE_ON_NODE } } : {}),
    });
  }
  return containers;
}

function parseMounts(text: string): { Source?: string; Destination?: string }[] | undefined {
  try {
    const mounts: unknown = JSON.parse(text);
    return Array.isArray(mounts) ? (mounts as { Source?: string; Destination?: string }[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds the lab's public key to the vagrant user's authorized_keys of a running machine made before the
 * Vagrantfile mounted it (Vagrant had swapped in a key of its own then); a key already there is not added again.
 */
export async function authorizeLabKey(container: string, publicKey: string): Promise<void> {
  const script = 'grep -qxF "$1" "$2" 2>/dev/null || printf "%s\\n" "$1" >>"$2"';
  await run('docker', ['exec', '--user', 'vagrant', container, 'sh', '-c', script, 'sh', publicKey, AUTHORIZED_KEYS]);
}
