import test from 'ava';
import { AUTHORIZED_KEYS, parseNodeContainers } from '../../src/providers/vagrant/node-containers.ts';

test('docker inspect lines: id, state, the published sshd port and whether the lab key is mounted', (t) => {
  const output = [
    `/lab-server|aaa111|true|127.0.0.1 2201|/sys/fs/cgroup ${AUTHORIZED_KEYS} `,
    '/lab-client1|bbb222|true|0.0.0.0 2222|/sys/fs/cgroup ',
    '/lab-client2|ccc333|false||/sys/fs/cgroup ',
    '',
    'Error: No such object: lab-client3',
  ].join('\n');
  const containers = parseNodeContainers(output);
  t.deepEqual([...containers.keys()], ['lab-server', 'lab-client1', 'lab-client2']);
  t.deepEqual(containers.get('lab-server'), { id: 'aaa111', running: true, ssh: { host: '127.0.0.1', port: 2201 }, labKeyMounted: true });
  // Published on every address: reached on loopback.
  t.deepEqual(containers.get('lab-client1'), { id: 'bbb222', running: true, ssh: { host: '127.0.0.1', port: 2222 }, labKeyMounted: false });
  t.deepEqual(containers.get('lab-client2'), { id: 'ccc333', running: false, labKeyMounted: false });
});
