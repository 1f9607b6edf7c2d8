/**
 * `docker run` flags a systemd+sshd node container needs on this kind of host
 * (DESIGN.md, lab-host-notes §3): no --privileged (the host lacks
 * CAP_SYS_RESOURCE), a writable cgroup v1 tree for Nomad clients, and systemd's
 * stop signal so `docker stop` does not wait out its timeout.
 */
export const NODE_CONTAINER_FLAGS: readonly string[] = [
  '--cap-add=ALL',
  '--cap-drop=SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--tmpfs',
  '/run',
  '--tmpfs',
  '/run/lock',
  '--cgroupns=host',
  '-v',
  '/sys/fs/cgroup:/sys/fs/cgroup:rw',
  '--stop-signal',
  'SIGRTMIN+3',
];

/** Where the docker backend's machines authorize the lab's key: the Vagrantfile mounts its `.pub` here. */
export const AUTHORIZED_KEYS = '/home/vagrant/.ssh/authorized_keys';

/**
 * Where the docker backend's machines see nomad-lab's cache, read-only: binaries and image tarballs are copied from it,
 * not uploaded.
 */
export const HOST_CACHE_ON_NODE = '/var/lib/nomad-lab/host-cache';

/**
 * The label every node container carries, with the lab's name as its value: `down` removes only containers that have
 * it.
 */
export const LAB_LABEL = 'nomad-lab.lab';

/** `docker run` flags that mark a container as a node of `lab`. */
export function labLabelFlags(lab: string): string[] {
  return ['--label', `${LAB_LABEL}=${lab}`];
}

export { nodeContainerName, vagrantNetworkName } from '../config/names.ts';
