import type { Cluster } from './config/load.ts';
import type { AnyStep } from './pipeline/step.ts';
import { SET_ASIDE } from './steps/adopt-agents.ts';
import { script } from './remote/quote.ts';
import type { Remote } from './remote/remote.ts';
import { purgeJobs } from './reset.ts';
import { firstServer } from './config/topology.ts';
import { closeAll, openSessions } from './sessions.ts';
import { UP_STEPS } from './up.ts';

// `down` for existing hosts: the hosts keep running; what `up` put on them goes.

/**
 * What the steps' planners say they write on a node (`owns`), once each: a path inside another listed folder goes
 * with that folder. In the order the steps run.
 */
export function ownedPaths(steps: readonly AnyStep[]): string[] {
  const all = [...new Set(steps.flatMap((step) => step.planners ?? []).flatMap((planner) => planner.owns ?? []))];
  return all.filter((path) => !all.some((other) => path.startsWith(`${other}/`)));
}

/** Everything `up` writes on a host, folders whole; host volume folders are not here (their data is the user's). */
export const LAB_PATHS: readonly string[] = ownedPaths(UP_STEPS);

/** The packages `up` installs, kept: the host may have had them before, or need them for something else. */
const KEPT_PACKAGES = 'dnsmasq and docker';

// Run as root on each host; every line it prints is something it did. Paths come in as "$@".
const CLEAN =
  `set -eu
for unit in nomad consul; do
  if [ -e "/etc/systemd/system/$unit.service" ]; then
    systemctl disable --now "$unit.service" >/dev/null 2>&1 || true
    echo "stopped $unit"
  fi
done
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  tasks=$(docker ps -aq --filter label=com.hashicorp.nomad.alloc_id)
  if [ -n "$tasks" ]; then
    docker rm -f $tasks >/dev/null
    echo "removed $(echo $tasks | wc -w) task containers"
  fi
  # mode container: the Nomad agent's own container, if stopping its unit left it.
  agents=$(docker ps -aq --filter label=nomad-lab.agent)
  if [ -n "$agents" ]; then
    docker rm -f $agents >/dev/null
    echo "removed the Nomad agent container"
  fi
  images=$(docker images -q --filter label=nomad-lab.recipe | sort -u)
  if [ -n "$images" ]; then
    docker rmi -f $images >/dev/null
    echo "removed the job images (docker rmi" $images")"
  fi
fi
# Nomad mounts each task's secrets folder under its data folder (mode container: the folder itself is a mount too;
# mode dev: the data is in temporary folders under /tmp/nomad-lab-dev).
awk '$2 ~ "^(/opt/nomad|/tmp/nomad-lab-dev)(/|$)" { print $2 }' /proc/mounts | sort -r |
  while read -r mount; do umount -l "$mount"; done
if head -n 1 /etc/resolv.conf 2>/dev/null | grep -q '^# nomad-lab:' && [ -f /etc/nomad-lab/resolv.upstream ]; then
  # In place: a container's resolv.conf is a bind mount.
  cat /etc/nomad-lab/resolv.upstream > /etc/resolv.conf
  echo "restored /etc/resolv.conf"
fi
# The host's own config files that up set aside go back once the lab's are gone.
saved=$(mktemp -d)
[ -d ${SET_ASIDE} ] && mv ${SET_ASIDE} "$saved/"
for path in "$@"; do
  if [ -e "$path" ] || [ -L "$path" ]; then
    rm -rf -- "$path"
    echo "removed $path"
  fi
done
for dir in "$saved"/set-aside/*.d; do
  [ -d "$dir" ] || continue
  install -d "/etc/\${dir##*/}"
  for f in "$dir"/*; do mv -- "$f" "/etc/\${dir##*/}/" && echo "put back /etc/\${dir##*/}/\${f##*/}"; done
done
rm -rf "$saved"
# A Consul of the host's own (HashiCorp's package) runs as user consul from /opt/consul: both stay for it.
if [ -x /usr/bin/consul ] || [ -e /usr/lib/systemd/system/consul.service ] || [ -e ` +
  `/lib/systemd/system/consul.service ]; then
  install -d -o consul -g consul /opt/consul 2>/dev/null || true
  echo "kept user consul and /opt/consul for the host's own Consul"
else
  if id -u consul >/dev/null 2>&1; then
    userdel consul
    echo "removed user consul"
  fi
  if getent group consul >/dev/null 2>&1; then
    groupdel consul
    echo "removed group consul"
  fi
fi
systemctl daemon-reload
systemctl reset-failed nomad.service consul.service >/dev/null 2>&1 || true
# Back to the host's own dnsmasq or systemd-resolved configuration; a restart that fails there is the host's ` +
  `business, not the lab's.
if systemctl is-active --quiet dnsmasq; then systemctl restart dnsmasq || true; fi
if systemctl is-active --quiet systemd-resolved; then systemctl restart systemd-resolved || true; fi
`;

/**
 * Stops the lab's jobs (when Nomad still runs) and agents on every host and removes what `up` put there; the hosts
 * themselves, the packages and host volume data are kept. Returns what was done, a line per node and action.
 */
export async function cleanHosts(cluster: Cluster, say: (line: string) => void = () => {}): Promise<string[]> {
  const remotes = await openSessions(cluster);
  const lines: string[] = [];
  try {
    const server = firstServer(cluster.spec).name;
    if (await nomadRuns(remotes.get(server)!)) {
      const jobs = await purgeJobs(cluster, say);
      lines.push(`${server}: ${jobs.length === 0 ? 'no jobs to stop' : `stopped and purged ${jobs.join(', ')}`}`);
    }
    const done = await Promise.all(
      cluster.spec.nodes.map(async (node) => {
        say(`${node.name}: stopping Consul and Nomad, removing what up put there`);
        const { stdout } = await remotes
          .get(node.name)!
          .run(script(CLEAN, LAB_PATHS, 'remove the lab from the host'), { sudo: true });
        const actions = stdout.split('\n').filter(Boolean);
        return actions.length === 0
          ? [`${node.name}: nothing of the lab left to remove`]
          : actions.map((a) => `${node.name}: ${a}`);
      }),
    );
    lines.push(...done.flat());
    const volumes = cluster.spec.nodes.flatMap((n) => n.host_volumes.map((v) => `${n.name}:${v.path}`));
    lines.push(
      `kept: the hosts, the ` +
        `packages ${KEPT_PACKAGES}${volumes.length > 0 ? `, host volume data (${volumes.join(', ')})` : ''}`,
    );
    return lines;
  } finally {
    await closeAll(remotes);
  }
}

async function nomadRuns(remote: Remote): Promise<boolean> {
  return (await remote.exec(['systemctl', 'is-active', '--quiet', 'nomad'])).exitCode === 0;
}
