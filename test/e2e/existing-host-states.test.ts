import test from 'ava';
import { execa } from 'execa';
import { artifactPath } from '../../src/artifacts/fetch.ts';
import { nodePlatform } from '../../src/artifacts/products.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { cacheDir } from '../../src/host/dirs.ts';
import { nodeImageTag } from '../../src/images/node-image.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { cli, failures, requirePreparedHost } from './helpers.ts';
import { Hosts } from './hosts.ts';

// Existing hosts as people have them (issue 26): hosts made from the preloaded node image, so Docker is
// installed but disabled and stopped, as the image ships it; then one state after the other that a host in the
// wild is in. Each is converged, or refused before any change with a message naming the host, the state and
// the fix. The tests run in order.

const LAB = 'e2e-states';
const NET = { name: 'e2e-states', subnet: '10.93.0' };
const USER = 'ops';
const NODES = [
  { node: 'server', role: 'server', address: `${NET.subnet}.10`, suite: 'bookworm' },
  { node: 'client1', role: 'client', address: `${NET.subnet}.11`, suite: 'bookworm' },
  // Debian 13 beside Debian 12, from the same archive: its docker.io is 26, without the docker command.
  { node: 'client2', role: 'client', address: `${NET.subnet}.12`, suite: 'trixie' },
] as const;

let hosts: Hosts;
const files: string[] = [];
/** The lab's own file, as the sudo user ops: what the tests after the refusals bring up. */
let file = '';

/** A cluster file for the hosts, as `user`, in the hosts' folder. */
async function clusterFile(name: string, user = USER): Promise<string> {
  const file = await hosts.writeCluster(name, `${NET.subnet}.0/24`, NODES, user);
  files.push(file);
  return file;
}

/** What a refused `up` must not have left: no binary, unit or folder of the lab's, Docker as it was. */
async function untouched(node: string): Promise<string> {
  const { stdout } = await hosts.sh(
    node,
    'for p in /usr/local/bin/consul /usr/local/bin/nomad /etc/systemd/system/consul.service ' +
      ('/etc/systemd/system/nomad.service /etc/nomad-lab; do [ -e "$p" ] && echo "$p"; done; systemctl is-active ' +
        'docker || true'),
  );
  return stdout.trim();
}

/** `verify --json`, once: after an up there is no grace period (up's last step waited for verify to pass). */
async function verified(file: string): Promise<VerifyReport> {
  return JSON.parse((await cli(['verify', '-f', file, '--json'])).stdout) as VerifyReport;
}

test.before(async () => {
  await requirePreparedHost();
  const images = {
    bookworm: await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io']),
    trixie: await nodeImageTag('nomadlab/node', ['dnsmasq', 'docker.io'], 'trixie'),
  };
  hosts = new Hosts(
    LAB,
    [NET],
    NODES.map((n) => ({ node: n.node, addresses: [n.address], image: images[n.suite] })),
    USER,
    22,
  );
  await hosts.start();
  // The server has Consul and Nomad as HashiCorp's packages lay them out (no registry reaches their .debs here).
  for (const product of ['consul', 'nomad'] as const) {
    await execa('docker', [
      'cp',
      artifactPath(cacheDir(), product, DEFAULTS.versions[product], nodePlatform()),
      `${hosts.container('server')}:/usr/bin/${product}`,
    ]);
  }
  await hosts.sh('server', PACKAGED);
  await hosts.sh('server', RESOLVED);
  await hosts.sh('client1', DOCKER_CE);
});

/**
 * Docker's own engine package instead of Debian's: Docker's archive is not reachable here, so the engine that
 * docker.io installed is packed again under Docker's package name and version (conflicting with docker.io, as
 * docker-ce does), and docker.io removed. dpkg then knows docker-ce, disabled and stopped, and no docker.io.
 */
const DOCKER_CE =
  `set -e
d=$(mktemp -d)
dpkg -L docker.io | while read -r f; do if [ -f "$f" ] || { [ -L "$f" ] && [ ! -d "$f" ]; }; then echo ` +
  `"\${f#/}"; fi; done | tar -C / -cf - -T - | tar -C "$d" -xf -
mkdir "$d/DEBIAN"
printf '%s\\n' 'Package: docker-ce' 'Version: 5:20.10.24~3-0~debian-bookworm' 'Architecture: amd64' ` +
  `'Maintainer: nomad-lab tests' \\
  'Depends: containerd, runc, iptables' 'Conflicts: docker.io' 'Replaces: docker.io' 'Description: Docker ` +
  `engine (stand-in)' > "$d/DEBIAN/control"
dpkg-deb --build --root-owner-group "$d" /root/docker-ce.deb >/dev/null
dpkg --purge --force-depends docker.io >/dev/null 2>&1
dpkg -i /root/docker-ce.deb >/dev/null
systemctl daemon-reload`;

/** systemd-resolved on 127.0.0.53, as Ubuntu has it (and Debian once the package is installed). */
const RESOLVED =
  `set -e
for try in 1 2 3 4; do apt-get update -q >/dev/null && break; sleep $((try * 2)); done
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd-resolved >/dev/null 2>&1
# Docker's resolv.conf is a bind mount the package cannot turn into its link: resolved asks Docker's resolver
# upstream, and resolv.conf names the stub, as the package's link would.
mkdir -p /etc/systemd/resolved.conf.d
printf '[Resolve]\\nDNS=%s\\n' "$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf)" > ` +
  `/etc/systemd/resolved.conf.d/upstream.conf
systemctl enable systemd-resolved >/dev/null 2>&1
systemctl restart systemd-resolved
printf 'nameserver 127.0.0.53\\noptions edns0 trust-ad\\nsearch .\\n' > /etc/resolv.conf`;

/**
 * What HashiCorp's consul and nomad packages install: binaries, units, default configs, the consul user and data
 * folders.
 */
const PACKAGED =
  `set -e
useradd --system --home /etc/consul.d --shell /bin/false consul
install -d -o consul -g consul /etc/consul.d /opt/consul
install -d /etc/nomad.d /opt/nomad/data
printf 'data_dir = "/opt/consul"\n#server = true\n' > /etc/consul.d/consul.hcl
: > /etc/consul.d/consul.env
printf 'data_dir  = "/opt/nomad/data"\nbind_addr = "0.0.0.0"\nserver {\n  enabled          = true\n  ` +
  `bootstrap_expect = 1\n}\n' > /etc/nomad.d/nomad.hcl
cat > /usr/lib/systemd/system/consul.service <<'UNIT'
[Unit]
Description="HashiCorp Consul - A service mesh solution"
ConditionFileNotEmpty=/etc/consul.d/consul.hcl
[Service]
EnvironmentFile=-/etc/consul.d/consul.env
User=consul
Group=consul
ExecStart=/usr/bin/consul agent -config-dir=/etc/consul.d/
KillMode=process
[Install]
WantedBy=multi-user.target
UNIT
cat > /usr/lib/systemd/system/nomad.service <<'UNIT'
[Unit]
Description=Nomad
[Service]
ExecStart=/usr/bin/nomad agent -config /etc/nomad.d
KillMode=process
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload`;

test.after.always(async () => {
  await hosts.cleanUp(file ? [file] : []);
});

test.serial(
  "the hosts as the image ships them: Docker installed, disabled and stopped (Docker's docker-ce on client1)",
  async (t) => {
    for (const n of NODES) {
      const engine = n.node === 'client1' ? 'docker-ce' : 'docker.io';
      const { stdout } = await hosts.sh(
        n.node,
        `dpkg-query -W -f '\${Package} \${Status}\\n' docker.io docker-ce 2>/dev/null | grep ' installed$'; ` +
          `systemctl is-enabled docker || true; systemctl is-active docker || true`,
      );
      t.deepEqual(stdout.trim().split('\n'), [`${engine} install ok installed`, 'disabled', 'inactive'], n.node);
      t.is((await hosts.sh(n.node, '. /etc/os-release; echo $VERSION_CODENAME')).stdout.trim(), n.suite);
    }
    const dns = await hosts.sh(
      'server',
      "ss -lunH 'sport = :53' | awk '{print $4}' | sort | head -n 1; head -n 1 /etc/resolv.conf; getent hosts " +
        'deb.debian.org >/dev/null && echo resolves',
    );
    t.is(
      dns.stdout.trim(),
      '127.0.0.53%lo:53\nnameserver 127.0.0.53\nresolves',
      'systemd-resolved answers on the server',
    );
  },
);

test.serial(
  'sudo that asks a password, a user without sudo, sudo that wants a terminal: refused at connect, before any change',
  async (t) => {
    const users = {
      askspw: 'askspw ALL=(ALL) ALL',
      nosudo: '',
      wantstty: 'Defaults:wantstty requiretty\nwantstty ALL=(ALL) NOPASSWD:ALL',
    };
    for (const n of NODES) {
      for (const [user, sudoers] of Object.entries(users)) {
        await hosts.sh(
          n.node,
          `useradd -m -s ` +
            `/bin/bash ${user} && install -d -m 700 -o ${user} -g ${user} /home/${user}/.ssh && cp ` +
            (`/home/${USER}/.ssh/authorized_keys ` +
              `/home/${user}/.ssh/ && ` +
              `chown ${user}: /home/${user}/.ssh/authorized_keys`),
        );
        if (sudoers)
          await hosts.sh(
            n.node,
            `printf '%s\\n' '${sudoers.replaceAll('\n', "' '")}' > /etc/sudoers.d/${user} && chmod 440 ` +
              `/etc/sudoers.d/${user}`,
          );
      }
    }
    const expected: Record<string, RegExp> = {
      askspw: new RegExp(
        [
          String.raw`^\[server\] sudo asks user askspw for a password .*: on the host, as root: `,
          String.raw`echo 'askspw ALL=\(ALL\) NOPASSWD:ALL' > /etc/sudoers.d/askspw`,
        ].join(''),
        'm',
      ),
      nosudo: /^\[client1\] sudo asks user nosudo for a password \(or nosudo may not use sudo at all\)/m,
      wantstty: new RegExp(
        [
          String.raw`^\[server\] sudo for user wantstty needs a terminal \(requiretty in sudoers\)`,
          String.raw`.*"Defaults:wantstty !requiretty"`,
        ].join(''),
        'm',
      ),
    };
    for (const [user, message] of Object.entries(expected)) {
      const up = await cli(['up', '-f', await clusterFile(`${user}.yaml`, user)]);
      t.is(up.exitCode, 1, up.all);
      t.regex(up.all, message);
      t.regex(up.all, /nothing was changed on any node/);
      t.notRegex(up.all, /at .*\.(ts|js):\d+/, 'no stack trace');
    }
    for (const n of NODES) t.is(await untouched(n.node), 'inactive', n.node);
  },
);

test.serial(
  "Consul already installed and running (HashiCorp's package layout): refused before any change, saying how to stop it",
  async (t) => {
    await hosts.sh('server', 'systemctl start consul && sleep 1 && systemctl is-active consul');
    const up = await cli(['up', '-f', await clusterFile('running-agent.yaml')]);
    t.is(up.exitCode, 1, up.all);
    t.regex(
      up.all,
      new RegExp(
        [
          String.raw`^\[server\] a Consul that nomad-lab did not install `,
          String.raw`\(consul\.service from (/usr)?/lib/systemd/system/consul\.service, /usr/bin/consul\) `,
          String.raw`is running, and nomad-lab would replace it: stop it first \(systemctl disable --now consul\)`,
        ].join(''),
        'm',
      ),
    );
    t.regex(up.all, /nothing was changed on any node/);
    t.is((await hosts.sh('server', 'cat /etc/consul.d/consul.hcl')).stdout, 'data_dir = "/opt/consul"\n#server = true');
    // As the message says; its data is what a person would move aside.
    await hosts.sh('server', 'systemctl disable --now consul && rm -rf /opt/consul/* && pgrep -x consul || true');
  },
);

test.serial(
  'a firewall that drops a port the agents need: refused before any change, naming the pair and the port',
  async (t) => {
    // iptables comes with docker.io; the rule drops Consul's LAN gossip from the server to client1.
    const rule = `INPUT -s ${NODES[0].address} -p tcp --dport 8301 -j DROP`;
    await hosts.sh('client1', `iptables -A ${rule}`);
    file = await clusterFile('cluster.yaml');
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 1, up.all);
    t.regex(up.all, /1 of the ports the agents need between nodes is blocked, so nothing was changed/);
    t.regex(
      up.all,
      new RegExp(
        `server -> client1 \\(${NODES[1].address.replaceAll('.', '\\.')}\\) tcp/8301 \\(Consul LAN gossip\\): ` +
          `Connection timed out`,
      ),
    );
    t.notRegex(up.all, /tcp\/8300|client1 -> server/, 'only the dropped port is named');
    for (const n of NODES) t.is(await untouched(n.node), 'inactive', n.node);
    await hosts.sh('client1', `iptables -D ${rule}`);
  },
);

test.serial(
  'Docker installed but stopped (docker.io or docker-ce): up enables and starts the engine that is there, and ' +
    'the lab comes up and verifies',
  async (t) => {
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 0, up.all);
    t.regex(up.stdout, /^client1: enable docker$/m);
    t.regex(up.stdout, /^client1: start docker$/m);
    t.notRegex(up.stdout, /install .*docker\.io|docker-ce/, 'no second engine');
    t.regex(up.all, /16 ports open between 3 nodes/);
    for (const client of ['client1', 'client2'])
      t.is(
        (await hosts.sh(client, 'systemctl is-enabled docker; systemctl is-active docker')).stdout.trim(),
        'enabled\nactive',
        client,
      );
    t.regex(up.stdout, /^client2: install docker-cli$/m, "Debian 13's docker command");
    t.notRegex(up.stdout, /^client1: install docker-cli$/m);
    t.is(
      (
        await hosts.sh(
          'client1',
          "dpkg-query -W -f '${Package} ${Status}\\n' docker.io docker-ce 2>/dev/null | grep ' installed$'",
        )
      ).stdout.trim(),
      'docker-ce install ok installed',
      'docker-ce used as it is, no docker.io beside it',
    );
    t.regex(up.stdout, /^client2: loaded nomadlab\/whoami:\S+ into docker$/m);
    // The server's own Consul and Nomad: taken over under their unit names, one agent each, their configs set aside.
    t.regex(
      up.stdout,
      new RegExp(
        [
          String.raw`^server: set aside /etc/consul\.d/consul\.env, /etc/consul\.d/consul\.hcl `,
          String.raw`in /etc/nomad-lab/set-aside/consul\.d \(down puts them back\)$`,
        ].join(''),
        'm',
      ),
    );
    const server = await hosts.sh(
      'server',
      'for p in consul nomad; do systemctl show -p FragmentPath --value $p; pgrep -cx $p; done; ls /etc/nomad.d',
    );
    t.is(
      server.stdout.trim(),
      '/etc/systemd/system/consul.service\n1\n/etc/systemd/system/nomad.service\n1\nnomad.hcl\nserver.hcl',
    );
    t.regex((await hosts.sh('server', 'head -n 1 /etc/nomad.d/nomad.hcl')).stdout, /^# Generated by nomad-lab/);
    // systemd-resolved kept on port 53 and asked for .consul; no dnsmasq beside it, resolv.conf as it was.
    t.notRegex(up.stdout, /^server: .*dnsmasq/m);
    const resolved = await hosts.sh(
      'server',
      'systemctl is-active dnsmasq || true; head -n 1 /etc/resolv.conf; getent hosts consul.service.consul | ' +
        'cut -d" " -f1; cat /etc/systemd/resolved.conf.d/nomad-lab-consul.conf',
    );
    t.regex(
      resolved.stdout,
      new RegExp(
        `^inactive\\nnameserver ` +
          `127\\.0\\.0\\.53\\n${NODES[0].address.replaceAll('.', '\\.')}\\n# nomad-lab: ` +
          `.*\\n\\[Resolve\\]\\nDNS=127\\.0\\.0\\.1:8600\\nDNSSEC=false\\nDomains=~consul$`,
      ),
    );
    t.deepEqual(failures(await verified(file)), []);
  },
);

test.serial('a second up changes nothing, the port check included', async (t) => {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.regex(up.stdout, /^up: 0 changes, the cluster was already as cluster.yaml says/m);
});

test.serial("containers that are not the lab's: verify does not count them, down leaves them running", async (t) => {
  // An image and a container of the host's own, made from the host's files: no registry needed.
  await hosts.sh(
    'client1',
    'tar -C / -ch usr/bin/sleep lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2 | docker import - ' +
      ('theirs/sleep:1 >/dev/null && docker run -d --name theirs --label owner=someone-else theirs/sleep:1 ' +
        '/usr/bin/sleep infinity'),
  );
  t.is((await hosts.sh('client1', "docker inspect -f '{{.State.Running}}' theirs")).stdout.trim(), 'true');
  const before = await verified(file);
  t.deepEqual(failures(before), []);
  t.true(before.results.some((r) => r.name === 'whoami: SRV from server' && r.actual === '2 instances'));

  const down = await cli(['down', '-f', file]);
  t.is(down.exitCode, 0, down.all);
  t.regex(down.stdout, /^client1: removed \d+ task containers$/m);
  t.is((await hosts.sh('client1', "docker inspect -f '{{.State.Running}}' theirs")).stdout.trim(), 'true');
  t.is((await hosts.sh('client1', 'docker image inspect -f ok theirs/sleep:1')).stdout.trim(), 'ok');
  t.is((await hosts.sh('client1', 'docker ps -q | wc -l')).stdout.trim(), '1', 'only their container is left');
  // The server's own Consul and Nomad as they were: configs back, binaries and units in place, user consul kept.
  t.regex(down.stdout, /^server: put back \/etc\/consul\.d\/consul\.hcl$/m);
  t.regex(down.stdout, /^server: kept user consul and \/opt\/consul for the host's own Consul$/m);
  t.is((await hosts.sh('server', 'cat /etc/consul.d/consul.hcl')).stdout, 'data_dir = "/opt/consul"\n#server = true');
  t.is((await hosts.sh('server', 'ls /etc/nomad.d')).stdout.trim(), 'nomad.hcl');
  t.regex(down.stdout, /^server: removed \/etc\/systemd\/resolved\.conf\.d\/nomad-lab-consul\.conf$/m);
  t.is(
    (
      await hosts.sh(
        'server',
        'systemctl is-active systemd-resolved; ls /etc/systemd/resolved.conf.d; getent hosts ' +
          'consul.service.consul || echo gone',
      )
    ).stdout.trim(),
    'active\nupstream.conf\ngone',
  );
  const units = await hosts.sh(
    'server',
    'for p in consul nomad; do f=$(systemctl show -p FragmentPath --value $p); echo $f; b=$(systemctl show -p ' +
      'ExecStart --value $p | sed "s/.*path=\\([^ ;]*\\).*/\\1/"); test -x "$b" && echo "$b runs"; done',
  );
  t.regex(
    units.stdout.trim(),
    new RegExp(
      [
        String.raw`^(/usr)?/lib/systemd/system/consul\.service\n/usr/bin/consul runs\n`,
        String.raw`(/usr)?/lib/systemd/system/nomad\.service\n/usr/bin/nomad runs$`,
      ].join(''),
    ),
  );
  // `up` again on the cleaned hosts, for the tests after this one.
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
});
