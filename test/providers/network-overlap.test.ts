import test from 'ava';
import { overlapping, parseDockerNetworks, parseInterfaces } from '../../src/providers/vagrant/network-overlap.ts';

// Recorded on this project's machine type: `docker network inspect` of every network, and `ip -4 -o addr show`.
const DOCKER =
  'bridge 172.17.0.0/16 \nhost \nnone \nvagrant_network_10.77.0.0/24 10.77.0.0/24 \ncorp 192.168.10.0/23 \n';
const IP = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.20.30.40/16 brd 10.20.255.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever ' +
    'preferred_lft forever',
  '7: br-3f1c2a9d0e11    inet 10.77.0.1/24 brd 10.77.0.255 scope global br-3f1c2a9d0e11\\       valid_lft ' +
    'forever preferred_lft forever',
].join('\n');
const networks = [...parseDockerNetworks(DOCKER), ...parseInterfaces(IP)];

test('the host networks read: Docker networks with subnets, interfaces but loopback and Docker bridges', (t) => {
  t.deepEqual(networks, [
    { what: 'Docker network bridge', cidr: '172.17.0.0/16' },
    { what: 'Docker network vagrant_network_10.77.0.0/24', cidr: '10.77.0.0/24' },
    { what: 'Docker network corp', cidr: '192.168.10.0/23' },
    { what: 'interface eth0 (10.20.30.40/16)', cidr: '10.20.0.0/16' },
  ]);
});

test("a lab network inside or around one of the host's is an overlap; the lab's own Docker network is not", (t) => {
  t.deepEqual(overlapping('10.77.0.0/24', networks), []);
  t.deepEqual(
    overlapping('192.168.11.0/24', networks).map((n) => n.what),
    ['Docker network corp'],
  );
  t.deepEqual(
    overlapping('10.0.0.0/8', networks).map((n) => n.what),
    ['Docker network vagrant_network_10.77.0.0/24', 'interface eth0 (10.20.30.40/16)'],
    "another lab's network too",
  );
  t.deepEqual(
    overlapping('10.20.5.0/24', networks).map((n) => n.what),
    ['interface eth0 (10.20.30.40/16)'],
  );
  t.deepEqual(overlapping('10.78.0.0/24', networks), []);
});
