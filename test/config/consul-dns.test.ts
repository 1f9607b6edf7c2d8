import test from 'ava';
import { readConsulDnsName } from '../../src/config/consul-dns.ts';

// How Consul reads a name: the rightmost kind label with a name before it, and the datacenter after it.

const cases: [string, ReturnType<typeof readConsulDnsName>][] = [
  ['todo-db.service.consul', { kind: 'service' }],
  ['todo-db.service.dc1.consul', { kind: 'service', datacenter: 'dc1' }],
  ['todo-db.service.dc1.dc.consul', { kind: 'service', datacenter: 'dc1' }],
  ['http.todo-web.service.consul', { kind: 'service' }],
  ['_todo-web._http.service.consul', { kind: 'service' }],
  ['client1.node.dc1.consul', { kind: 'node', datacenter: 'dc1' }],
  ['0a4d000b.addr.dc1.consul', { kind: 'addr', datacenter: 'dc1' }],
  ['web.service.peer1.peer.consul', { kind: 'service' }],
  ['node.service.consul', { kind: 'service' }],
  ['todo-db.consul', undefined],
  ['service.consul', undefined],
  ['todo-db.service.dc1', undefined],
];
for (const [name, read] of cases) {
  test(`${name}: ${JSON.stringify(read)}`, (t) => {
    t.deepEqual(readConsulDnsName(name), read);
  });
}
