import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { imageExists } from '../../src/images/docker.ts';
import { NODE_CONTAINER_FLAGS } from '../../src/render/docker-node-flags.ts';
import { generateKey } from '../remote/helpers/ssh-server.ts';
import { cli } from './helpers.ts';

// "Existing hosts" for the ssh provider's end-to-end tests: containers of the node image started with plain
// `docker run` (no Vagrant), set up as a person sets up a fresh Debian host: a sudo user with a key.

export interface HostSpec {
  node: string;
  /** The host's address on each network it joins, in order: the first is where SSH is reached. */
  addresses: string[];
  /** The node image tag it runs; each test says which (bare, preloaded, another Debian release). */
  image: string;
}

export interface Network {
  name: string;
  /** `10.97.0`: the /24 it spans. */
  subnet: string;
  /** No way in from this host: an internal network without the host's bridge address. */
  unreachable?: boolean;
}

/** A shell command on a host, as root, through Docker: how a test sets hosts up and looks at them afterwards. */
export const onHost = (container: string, command: string, reject = true) =>
  execa('docker', ['exec', container, 'sh', '-c', command], { reject });

/** What a person would do to a fresh Debian host: a sudo user with a key, sshd on `port`, no root login. */
const HOST_SETUP =
  `set -e
user=$1 port=$2 key=$3 lab=$4
useradd --create-home --shell /bin/bash "$user"
echo "$user ALL=(ALL) NOPASSWD:ALL" > "/etc/sudoers.d/$user" && chmod 440 "/etc/sudoers.d/$user"
for home in "/home/$user" /root; do
  install -d -m 700 "$home/.ssh"
  printf '%s\\n' "$key" > "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
done
chown -R "$user:$user" "/home/$user/.ssh"
# First match wins in sshd_config: this file sorts before the image's own.
printf 'Port %s\\nPermitRootLogin no\\nPasswordAuthentication no\\n' "$port" > ` +
  `/etc/ssh/sshd_config.d/00-existing-host.conf
# Docker inside a container: no overlay on overlay, and its containers' cgroups apart from the host's.
mkdir -p /etc/docker
printf '{"storage-driver": "vfs", "cgroup-parent": "/nomad-lab.%s.%s.docker"}\\n' "$lab" "$(hostname)" > ` +
  `/etc/docker/daemon.json
# Docker 26 (Debian 13) fails a container whose IPv6 it cannot turn off, and /proc/sys is read-only in here.
mkdir -p /etc/systemd/system/docker.service.d
printf '[Service]\\nEnvironment=DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1\\n' > ` +
  `/etc/systemd/system/docker.service.d/ipv6.conf
systemctl daemon-reload
systemctl restart ssh`;

/** A set of existing hosts for one test file, its key, and how to take them down again. */
export class Hosts {
  dir = '';
  keyPath = '';
  publicKey = '';

  constructor(
    readonly lab: string,
    readonly networks: readonly Network[],
    readonly hosts: readonly HostSpec[],
    readonly user: string,
    readonly port: number,
  ) {}

  container(node: string): string {
    return `${this.lab}-${node}`;
  }

  sh(node: string, command: string, reject = true) {
    return onHost(this.container(node), command, reject);
  }

  async start(): Promise<void> {
    for (const image of new Set(this.hosts.map((h) => h.image))) {
      if (!(await imageExists(image)))
        throw new Error(
          `the existing hosts are made from the node image ${image}, which is missing: run nomad-lab image build`,
        );
    }
    this.dir = await mkdtemp(join(tmpdir(), `nomad-lab-${this.lab}-`));
    const key = generateKey();
    this.keyPath = join(this.dir, 'id_ed25519');
    await writeFile(this.keyPath, key.private, { mode: 0o600 });
    this.publicKey = key.public;

    await this.remove();
    for (const net of this.networks) {
      await execa('docker', [
        'network',
        'create',
        ...(net.unreachable ? ['--internal'] : []),
        '--subnet',
        `${net.subnet}.0/24`,
        net.name,
      ]);
      if (!net.unreachable) continue;
      // An internal network still gives this host an address on its bridge; without it this host has no way in.
      const id = (await execa('docker', ['network', 'inspect', '-f', '{{.Id}}', net.name])).stdout.trim();
      await execa('ip', ['addr', 'del', `${net.subnet}.1/24`, 'dev', `br-${id.slice(0, 12)}`]);
    }
    for (const h of this.hosts) {
      const [first, ...more] = this.networks;
      await execa('docker', [
        'create',
        '--name',
        this.container(h.node),
        '--hostname',
        h.node,
        ...NODE_CONTAINER_FLAGS,
        '--network',
        first!.name,
        '--ip',
        h.addresses[0]!,
        h.image,
      ]);
      for (const [i, net] of more.entries())
        await execa('docker', ['network', 'connect', '--ip', h.addresses[i + 1]!, net.name, this.container(h.node)]);
      await execa('docker', ['start', this.container(h.node)]);
    }
    for (const h of this.hosts) {
      for (let i = 0; (await this.sh(h.node, 'systemctl is-active ssh', false)).exitCode !== 0; i++) {
        if (i > 60) throw new Error(`${h.node}: sshd did not start`);
        await sleep(500);
      }
      await execa('docker', [
        'exec',
        this.container(h.node),
        'sh',
        '-c',
        HOST_SETUP,
        'sh',
        this.user,
        String(this.port),
        this.publicKey,
        this.lab,
      ]);
    }
  }

  /**
   * A cluster file in the hosts' folder for the whoami lab on these hosts (2 instances, checked over HTTP), logging
   * in as `user`; each node's `sshHost` when SSH is on another address than the lab's.
   */
  async writeCluster(
    name: string,
    cidr: string,
    nodes: readonly { node: string; role: string; address: string; sshHost?: string }[],
    user = this.user,
  ): Promise<string> {
    await mkdir(join(this.dir, 'jobs'), { recursive: true });
    await cp('jobs/whoami.nomad.hcl', join(this.dir, 'jobs', 'whoami.nomad.hcl'));
    const file = join(this.dir, name);
    const lines = [
      'version: 1',
      `name: ${this.lab}`,
      'network:',
      `  cidr: ${cidr}`,
      'provider:',
      '  type: ssh',
      `  user: ${user}`,
      ...(this.port === 22 ? [] : [`  port: ${this.port}`]),
      '  key: id_ed25519',
      'nodes:',
      ...nodes.flatMap((n) => [
        `  - name: ${n.node}`,
        `    role: ${n.role}`,
        `    address: ${n.address}`,
        ...(n.sshHost ? [`    ssh: { host: ${n.sshHost} }`] : []),
      ]),
      'jobs:',
      '  - { name: whoami, file: jobs/whoami.nomad.hcl, images: [{ recipe: whoami }] }',
      'services:',
      '  - { name: whoami, job: whoami, count: 2, check: http, path: / }',
      '',
    ];
    await writeFile(file, lines.join('\n'));
    return file;
  }

  async remove(): Promise<void> {
    await execa('docker', ['rm', '-f', '-v', ...this.hosts.map((h) => this.container(h.node))], { reject: false });
    for (const net of this.networks) await execa('docker', ['network', 'rm', net.name], { reject: false });
  }

  /** `down` with each file a test wrote, then the hosts, their networks, their cgroups and the folder go. */
  async cleanUp(files: readonly string[]): Promise<void> {
    for (const file of files) await cli(['down', '-f', file]);
    await this.remove();
    // The hosts' Docker made its cgroup parents in this host's tree (cgroup v1, shared); only empty ones go.
    await execa(
      'sh',
      [
        '-c',
        `find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name ` +
          `'nomad-lab.${this.lab}.*' -exec rmdir {} + ` +
          `2>/dev/null`,
      ],
      { reject: false },
    );
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
