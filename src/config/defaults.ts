/**
 * Every default nomad-lab applies to a cluster file, in one place.
 * `nomad-lab config --resolved` prints a file with all of them filled in.
 */
export const DEFAULTS = {
  name: 'nomad-lab',
  datacenter: 'dc1',
  region: 'global',
  /** The agents as systemd services with the lab's own configs. */
  mode: 'standard',
  versions: {
    consul: '1.22.7',
    nomad: '1.11.3',
  },
  docker: { package: 'docker.io' },
  drivers: {
    // Nomad's own defaults, except volumes: the examples' host volumes and bind mounts need it.
    docker: {
      enabled: true,
      allow_privileged: false,
      volumes: true,
      gc: { image: true, image_delay: '3m', container: true },
      pull_activity_timeout: '2m',
    },
    raw_exec: { enabled: false },
    // The podman driver's own defaults; podman.socket listens at this path.
    podman: {
      enabled: false,
      socket_path: '/run/podman/podman.sock',
      volumes: { enabled: true },
      gc: { container: true },
      recover_stopped: false,
    },
  },
  artifacts: { source: 'auto' },
  provider: {
    type: 'vagrant',
    /** Machines as systemd+sshd containers: what a Linux host and CI use. */
    backend: process.platform === 'linux' ? 'docker' : 'virtualbox',
    image: 'nomadlab/node',
    /** The docker backend's node image carries the packages `up` installs. */
    preload: true,
    box: 'debian/bookworm64',
  },
  ssh: { port: 22, user: 'root' },
  node: { cpus: 1, memory: 1024 },
  service: { count: 1, check: 'tcp', path: '/' },
  verify: { via: 'auto' },
  security: { acl: false, tls: false },
  /** Docker's registry port. */
  registry: { port: 5000 },
} as const;
