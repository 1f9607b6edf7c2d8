import { readFile } from 'node:fs/promises';
import test from 'ava';
import { parseSshConfig } from '../../src/providers/vagrant/parse-ssh-config.ts';

const fixture = (name: string) => readFile(`test/fixtures/vagrant/${name}`, 'utf8');

test('forwarded ports on 127.0.0.1, one Host block per machine, with its own key', async (t) => {
  const hosts = parseSshConfig(await fixture('vagrant-ssh-config.txt'));
  t.deepEqual(
    hosts.map((h) => [h.name, h.hostName, h.port, h.user, h.identityFiles]),
    [
      ['server', '127.0.0.1', 2222, 'vagrant', ['/tmp/labhost/vagrant/.vagrant/machines/server/docker/private_key']],
      ['client1', '127.0.0.1', 2200, 'vagrant', ['/tmp/labhost/vagrant/.vagrant/machines/client1/docker/private_key']],
      ['client2', '127.0.0.1', 2201, 'vagrant', ['/tmp/labhost/vagrant/.vagrant/machines/client2/docker/private_key']],
    ],
  );
  t.is(hosts[0]!.options['stricthostkeychecking'], 'no');
});

test("without the ssh forward: the container's bridge address, port 22", async (t) => {
  const hosts = parseSshConfig(await fixture('vagrant-ssh-config-noforward.txt'));
  t.is(hosts.length, 3);
  for (const host of hosts) {
    t.regex(host.hostName, /^172\.17\.0\.\d+$/);
    t.is(host.port, 22);
  }
});

test('a quoted IdentityFile with a space, several keys, and key=value form', (t) => {
  const [host] = parseSshConfig(
    'Host web\n  HostName=10.0.0.5\n  Port 2200\n  IdentityFile "/home/a b/key"\n  IdentityFile /k2\n',
  );
  t.deepEqual([host!.hostName, host!.port, host!.identityFiles], ['10.0.0.5', 2200, ['/home/a b/key', '/k2']]);
});

test('no output, no hosts', (t) => {
  t.deepEqual(parseSshConfig(''), []);
});
