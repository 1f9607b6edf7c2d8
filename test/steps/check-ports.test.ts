import test from 'ava';
import { parseProbe, portPaths } from '../../src/steps/check-ports.ts';

const node = (name: string, role: 'server' | 'client' | 'both', address: string) => ({ name, role, address });

test(
  'port paths: to servers RPC and gossip from every node, server-only ports between servers, LAN gossip ' +
    'between all',
  (t) => {
    const paths = portPaths({
      nodes: [node('s1', 'server', '10.0.0.10'), node('s2', 'server', '10.0.0.11'), node('c1', 'client', '10.0.0.20')],
    } as never);
    const list = (from: string, to: string) =>
      paths.filter((p) => p.from === from && p.to === to).map((p) => `${p.proto}/${p.port}`);
    t.deepEqual(list('c1', 's1'), ['tcp/8300', 'tcp/8301', 'udp/8301', 'tcp/4647']);
    t.deepEqual(list('s2', 's1'), ['tcp/8300', 'tcp/8301', 'udp/8301', 'tcp/8302', 'tcp/4647', 'tcp/4648', 'udp/4648']);
    t.deepEqual(list('s1', 'c1'), ['tcp/8301', 'udp/8301']);
    t.deepEqual(list('s1', 's1'), []);
    t.true(paths.every((p) => p.to_address.startsWith('10.0.0.')));
    t.false(
      paths.some((p) => [4646, 8500, 8600].includes(p.port)),
      'HTTP and DNS are asked locally or from this host',
    );
  },
);

test('probe output: open, blocked with why, and lines that are not results', (t) => {
  const results = parseProbe(
    'open 10.0.0.10:tcp/8300\nblocked 10.0.0.10:tcp/4647 Connection timed out\nblocked ' +
      '10.0.0.10:udp/8301\nperl: warning\n',
  );
  t.deepEqual(
    [...results],
    [
      ['10.0.0.10:tcp/8300', undefined],
      ['10.0.0.10:tcp/4647', 'Connection timed out'],
      ['10.0.0.10:udp/8301', 'no answer'],
    ],
  );
});
