import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseCluster } from '../../src/config/load.ts';
import { labNetworkProblem } from '../../src/config/networks.ts';
import { ConfigError } from '../../src/errors.ts';

// Where a cluster file may point: files sent to the nodes only from its folder or files.allow_from.

const lab = (jobs: string, extra = '') =>
  `version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 ` +
  `}\njobs:\n${jobs}${extra}`;

async function folders() {
  const root = await mkdtemp(join(tmpdir(), 'nomad-lab-paths-'));
  const dir = join(root, 'lab');
  const shared = join(root, 'shared');
  await mkdir(join(dir, '.nomad-lab', 'x'), { recursive: true });
  await mkdir(shared);
  await writeFile(join(dir, 'a.hcl'), 'job "a" {}\n');
  await writeFile(join(dir, '.nomad-lab', 'x', 'id_ed25519'), 'secret\n');
  await writeFile(join(shared, 'b.hcl'), 'job "b" {}\n');
  await symlink(join(shared, 'b.hcl'), join(dir, 'link.hcl'));
  return { dir, shared };
}

const messages = (text: string, baseDir: string): string[] => {
  try {
    parseCluster(text, { displayName: 'c.yaml', baseDir });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

test(
  "a job file in the cluster file's folder is fine; one outside, or reached by a symlink out of it, is " + 'refused',
  async (t) => {
    const { dir, shared } = await folders();
    t.deepEqual(messages(lab('  - { name: a, file: a.hcl }\n'), dir), []);
    t.deepEqual(messages(lab('  - { name: b, file: ../shared/b.hcl }\n'), dir), [
      `jobs[0].file: job ` +
        `file ${join(shared, 'b.hcl')} is outside the cluster file's ` +
        `folder ${dir}, and it would ` +
        `be sent to the nodes: move it into that folder, or list its folder under files.allow_from`,
    ]);
    t.deepEqual(messages(lab('  - { name: b, file: link.hcl }\n'), dir), [
      `jobs[0].file: job ` +
        `file ${join(dir, 'link.hcl')} (it resolves to ${join(shared, 'b.hcl')}) is outside the ` +
        `cluster file's folder ${dir}, and it would be sent ` +
        `to the nodes: move it into that folder, or list its folder under files.allow_from`,
    ]);
  },
);

test('files.allow_from is the opt-in for another folder', async (t) => {
  const { dir } = await folders();
  t.deepEqual(
    messages(
      lab(
        '  - { name: b, file: ../shared/b.hcl }\n  - { name: c, file: link.hcl }\n',
        'files: { allow_from: [../shared] }\n',
      ),
      dir,
    ),
    [],
  );
});

test("nothing is sent from a hidden folder, even inside the cluster file's own", async (t) => {
  const { dir } = await folders();
  t.deepEqual(messages(lab('  - { name: a, file: .nomad-lab/x/id_ed25519 }\n'), dir), [
    `jobs[0].file: job ` +
      `file ${join(dir, '.nomad-lab/x/id_ed25519')} is in the hidden folder ".nomad-lab" (keys, ` +
      `tokens and the lab's own state live in such folders), and it would be sent to the nodes: move it out`,
  ]);
  t.deepEqual(messages(lab('  - { name: a, file: a.hcl }\n', 'files: { allow_from: [.nomad-lab] }\n'), dir), [
    `files.allow_from[0]: ${join(dir, '.nomad-lab')} is in the hidden folder ".nomad-lab" (keys, tokens and ` +
      `settings live in such folders): list a folder of its own for the jobs`,
  ]);
});

test('an SSH key may be anywhere but must be a regular file of a few KiB', async (t) => {
  const { dir, shared } = await folders();
  const ssh = (key: string) =>
    `version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nprovider: { type: ssh, ` +
    `key: ${key} }\nnodes:\n  - { name: a, ` +
    `role: both, address: 10.9.0.2 }\n`;
  t.deepEqual(messages(ssh('../shared/b.hcl'), dir), []);
  await writeFile(join(shared, 'big'), Buffer.alloc(65 * 1024));
  t.deepEqual(messages(ssh('../shared/big'), dir), [
    `provider.key: SSH key ${join(shared, 'big')} has 66560 bytes, over the 64 KiB it may have: is it the right file?`,
  ]);
  t.deepEqual(messages(ssh('../shared'), dir), [`provider.key: SSH key ${shared} is a folder: name a regular file`]);
});

const networks: [string, string | undefined, string?][] = [
  ['10.77.0.0/24', undefined],
  ['10.96.0.0/24', undefined],
  ['192.168.50.0/24', undefined],
  [
    '0.0.0.0/8',
    '0.0.0.0/8 lies in "this network" (0.0.0.0/8), which is never a destination: pick a private network that is ' +
      'free, like 10.77.0.0/24',
  ],
  [
    '169.254.1.0/24',
    '169.254.1.0/24 lies in link-local (169.254.0.0/16), where hosts without DHCP and cloud metadata services ' +
      'live: pick a private network that is free, like 10.77.0.0/24',
  ],
  [
    '239.1.0.0/16',
    '239.1.0.0/16 lies in multicast (224.0.0.0/4): pick a private network that is free, like 10.77.0.0/24',
  ],
  [
    '250.0.0.0/8',
    '250.0.0.0/8 lies in the reserved class E (240.0.0.0/4, with the broadcast address): pick a private network ' +
      'that is free, like 10.77.0.0/24',
  ],
  [
    '172.16.0.0/12',
    "172.16.0.0/12 overlaps Docker's default bridge (172.17.0.0/16, docker0 on this host and on every client): " +
      'pick a private network that is free, like 10.77.0.0/24',
  ],
  [
    '172.26.70.0/24',
    "172.26.70.0/24 lies in Nomad's default bridge network (172.26.64.0/20, bridge_network_subnet on every " +
      'client): pick a private network that is free, like 10.77.0.0/24',
  ],
  ['192.168.121.0/24', undefined, 'docker'],
  [
    '192.168.121.0/24',
    "192.168.121.0/24 lies in vagrant-libvirt's management network (192.168.121.0/24): pick a private network " +
      'that is free, like 10.77.0.0/24',
    'libvirt',
  ],
  [
    '255.255.0.0/16',
    "255.255.0.0/16 is written like a netmask (255.255.0.0 is /16), not a network: write the network's own " +
      'address, like 10.77.0.0/24',
  ],
];
for (const [cidr, expected, backend] of networks) {
  test(`lab network ${cidr}${backend ? ` (${backend})` : ''}`, (t) => t.is(labNetworkProblem(cidr, backend), expected));
}
