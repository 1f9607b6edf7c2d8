import test from 'ava';
import { agentsOnHost, planAdoption } from '../../src/steps/adopt-agents.ts';

// The host's own Consul and Nomad, as `look for Consul and Nomad installed before` reads them (recorded on a host
// with HashiCorp's package layout: binaries in /usr/bin, units in /usr/lib/systemd/system, configs in /etc/*.d).

const read = (stdout: string) => agentsOnHost().parse({ exitCode: 0, stdout, stderr: '' });

const PACKAGED = read(
  [
    'unit consul /usr/lib/systemd/system/consul.service inactive',
    'binary consul /usr/bin/consul',
    'config consul /etc/consul.d/consul.env',
    'config consul /etc/consul.d/consul.hcl',
    'unit nomad /usr/lib/systemd/system/nomad.service inactive',
    'binary nomad /usr/bin/nomad',
    'config nomad /etc/nomad.d/nomad.hcl',
    '',
  ].join('\n'),
);

test('a clean host: nothing to take over, nothing refused', (t) => {
  const agents = read('unit consul  inactive\nunit nomad  inactive\n');
  t.deepEqual(agents.consul, { active: false, binaries: [], configs: [] });
  t.deepEqual(planAdoption('server', agents), { changes: [], refusals: [] });
});

test("the package's agents, never run: their config files are set aside, their binaries and units stay", (t) => {
  const { changes, refusals } = planAdoption('server', PACKAGED);
  t.deepEqual(refusals, []);
  t.deepEqual(
    changes.map((c) => c.description),
    [
      'set aside /etc/consul.d/consul.env, /etc/consul.d/consul.hcl in /etc/nomad-lab/set-aside/consul.d (down ' +
        'puts them back)',
      'set aside /etc/nomad.d/nomad.hcl in /etc/nomad-lab/set-aside/nomad.d (down puts them back)',
    ],
  );
  t.regex(
    changes[0]!.reason!,
    new RegExp(
      [
        String.raw`Consul that nomad-lab did not install `,
        String.raw`\(consul.service from /usr/lib/systemd/system/consul.service, /usr/bin/consul\)`,
      ].join(''),
    ),
  );
});

test(
  "an agent that runs, or one that has left data, is refused with the fix; nomad-lab's own unit is never in " +
    'question',
  (t) => {
    const running = { ...PACKAGED, nomad: { ...PACKAGED.nomad, active: true } };
    t.deepEqual(planAdoption('server', running).refusals, [
      '[server] a Nomad that nomad-lab did not install (nomad.service from /usr/lib/systemd/system/nomad.service, ' +
        ('/usr/bin/nomad) is running, and nomad-lab would replace it: stop it first (systemctl disable --now ' +
          ("nomad), or use another host; its data in /opt/nomad would be used by the lab's agent, so move it " +
            'aside if it matters')),
    ]);
    const used = { ...PACKAGED, consul: { ...PACKAGED.consul, data: '/opt/consul/node-id' } };
    t.regex(
      planAdoption('server', used).refusals[0]!,
      /^\[server\] a Consul .* has run here and left data \(\/opt\/consul\/node-id\).*move \/opt\/consul aside/,
    );
    const ours = read(
      'unit consul /etc/systemd/system/consul.service active\ndata consul /opt/consul/node-id\nbinary consul ' +
        '/usr/bin/consul\nunit nomad /etc/systemd/system/nomad.service active\n',
    );
    t.deepEqual(planAdoption('server', ours), { changes: [], refusals: [] });
  },
);
