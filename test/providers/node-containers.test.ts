import test from 'ava';
import { AUTHORIZED_KEYS, HOST_CACHE_ON_NODE } from '../../src/render/docker-node-flags.ts';
import { parseNodeContainers } from '../../src/providers/vagrant/node-containers.ts';

const mount = (source: string, destination: string) => ({
  Type: 'bind',
  Source: source,
  Destination: destination,
  Mode: '',
  RW: false,
});

test('docker inspect lines: id, state, the published sshd port, the lab key and the host cache mounts', (t) => {
  const serverMounts = [
    mount('/sys/fs/cgroup', '/sys/fs/cgroup'),
    mount('/x/.nomad-lab/lab/id_ed25519.pub', AUTHORIZED_KEYS),
    mount('/root/.cache/a|b', HOST_CACHE_ON_NODE),
  ];
  const output = [
    `/lab-server|aaa111|true|127.0.0.1 2201|${JSON.stringify(serverMounts)}`,
    `/lab-client1|bbb222|true|0.0.0.0 2222|${JSON.stringify([mount('/sys/fs/cgroup', '/sys/fs/cgroup')])}`,
    '/lab-client2|ccc333|false||[]',
    '',
    'Error: No such object: lab-client3',
  ].join('\n');
  const containers = parseNodeContainers(output);
  t.deepEqual([...containers.keys()], ['lab-server', 'lab-client1', 'lab-client2']);
  t.deepEqual(containers.get('lab-server'), {
    id: 'aaa111',
    running: true,
    ssh: { host: '127.0.0.1', port: 2201 },
    labKeyMounted: true,
    hostShare: { hostDir: '/root/.cache/a|b', nodeDir: HOST_CACHE_ON_NODE },
  });
  // Published on every address: reached on loopback.
  t.deepEqual(containers.get('lab-client1'), {
    id: 'bbb222',
    running: true,
    ssh: { host: '127.0.0.1', port: 2222 },
    labKeyMounted: false,
  });
  t.deepEqual(containers.get('lab-client2'), { id: 'ccc333', running: false, labKeyMounted: false });
});
