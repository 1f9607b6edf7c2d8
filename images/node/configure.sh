#!/bin/sh
# Turns a Debian bookworm root into a Vagrant machine image: systemd as PID 1,
# sshd, a `vagrant` user with passwordless sudo and Vagrant's insecure key
# (Vagrant swaps in a per-machine key at first `up`). Runs inside the root:
# under chroot for the offline recipe, as a RUN step for the Dockerfile one.
# Expects Vagrant's public key at /tmp/vagrant.pub.
set -eu

# Users: root is locked and authorizes no key, so the world-known insecure key
# never logs in as root (Vagrant's key swap only rewrites vagrant's file).
useradd -m -s /bin/bash vagrant
passwd -l root >/dev/null
usermod -p '*' vagrant                 # '*' (not '!'): no password, but key login allowed
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
install -m 0600 -o vagrant -g vagrant /tmp/vagrant.pub /home/vagrant/.ssh/authorized_keys
rm -f /tmp/vagrant.pub

# sshd: host keys are made at each machine's first boot, so nodes never share them.
# Ed25519 and ECDSA only: both take milliseconds, where an RSA key takes 1-2 s of every boot.
rm -f /etc/ssh/ssh_host_*
cat >/etc/systemd/system/ssh-host-keys.service <<'UNIT'
[Unit]
Description=Generate missing SSH host keys
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for t in ed25519 ecdsa; do f=/etc/ssh/ssh_host_$${t}_key; [ -e $$f ] || ssh-keygen -q -t $$t -N "" -f $$f; done'

[Install]
RequiredBy=ssh.service
UNIT
mkdir -p /etc/systemd/system/ssh.service.requires
ln -sf ../ssh-host-keys.service /etc/systemd/system/ssh.service.requires/ssh-host-keys.service
systemctl enable ssh.service >/dev/null 2>&1
printf 'UseDNS no\nPermitRootLogin prohibit-password\nHostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n' >/etc/ssh/sshd_config.d/nomad-lab.conf

# systemd in a container: a fresh machine-id per machine, and no units that
# need hardware, a console or kernel settings a container cannot have.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
for unit in getty.target console-getty.service getty@tty1.service \
    systemd-udevd.service systemd-udev-trigger.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
    systemd-remount-fs.service dev-hugepages.mount sys-fs-fuse-connections.mount \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
    systemd-firstboot.service systemd-modules-load.service systemd-sysctl.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service; do
  ln -sf /dev/null "/etc/systemd/system/$unit"
done
echo node >/etc/hostname

# Smaller image; nodes run `apt-get update` before they install anything.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /tmp/* \
  /usr/share/doc/* /usr/share/man/* /usr/share/info/*
