import test from 'ava';
import { systemPathProblem } from '../../src/config/system-paths.ts';

const fix = 'give the volume a folder of its own, like /srv/nomad/data';

const refused: [string, string][] = [
  ['/', `is the root of the file system: ${fix}`],
  ['//', `is the root of the file system: ${fix}`],
  ['/etc', `is a top-level system folder: ${fix}`],
  ['/tmp/', `is a top-level system folder: ${fix}`],
  ['/srv', `is a top-level system folder: ${fix}`],
  ['/home', `is a top-level system folder: ${fix}`],
  ['/lib64', `is a top-level system folder: ${fix}`],
  ['/etc/nomad.d', `is in /etc, which belongs to the system: ${fix}`],
  ['/root/.ssh', `is in /root, which belongs to the system: ${fix}`],
  ['/usr/local/bin', `is in /usr, which belongs to the system: ${fix}`],
  ['/proc/self', `is in /proc, which belongs to the system: ${fix}`],
  ['/sys/fs/cgroup', `is in /sys, which belongs to the system: ${fix}`],
  ['/dev/shm/x', `is in /dev, which belongs to the system: ${fix}`],
  ['/boot/efi', `is in /boot, which belongs to the system: ${fix}`],
  ['/run/docker.sock', `is in /run, which belongs to the system: ${fix}`],
  ['/lib/systemd', `is in /lib, which belongs to the system: ${fix}`],
  ['/libx32/x', `is in /libx32, which belongs to the system: ${fix}`],
  ['/var/lib', `is in /var/lib, which belongs to the system: ${fix}`],
  ['/var/lib/docker', `is in /var/lib, which belongs to the system: ${fix}`],
  ['/var/log/nomad', `is in /var/log, which belongs to the system: ${fix}`],
  ['/tmp/data', `is in /tmp, which belongs to the system: ${fix}`],
  ['/srv/./../etc', `is a top-level system folder: ${fix}`],
  ['/opt/nomad/alloc', `is in /opt/nomad, which belongs to Nomad (its data folder): ${fix}`],
  ['/opt/consul', `is in /opt/consul, which belongs to Consul (its data folder): ${fix}`],
  ['/home/alice', `is a user's home folder: ${fix}`],
  ['/home/alice/.ssh', `is in the hidden folder ".ssh" (keys and settings live in such folders): ${fix}`],
  ['/srv/.config/x', `is in the hidden folder ".config" (keys and settings live in such folders): ${fix}`],
];
for (const [path, problem] of refused) {
  test(`host volume ${path} is refused`, (t) => t.is(systemPathProblem(path), problem));
}

for (const path of [
  '/srv/nomad/data',
  '/srv/data',
  '/data',
  '/opt/lab/data',
  '/var/www/site',
  '/home/alice/lab-data',
  '/mnt/disk/volume',
  '/srv/./nomad//data/',
]) {
  test(`host volume ${path} is allowed`, (t) => t.is(systemPathProblem(path), undefined));
}
