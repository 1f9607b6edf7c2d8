import test from 'ava';
import { planPackages, versionMatches } from '../../src/ops/packages.ts';
import { planService } from '../../src/ops/service.ts';
import { planSystemUser } from '../../src/ops/users.ts';

const running = { loaded: true, active: true, failed: false, enabled: true, startedAt: 5 };

const services: [string, typeof running, { unitChanged: boolean; configChanged: boolean }, string[]][] = [
  ['running, nothing changed', running, { unitChanged: false, configChanged: false }, []],
  ['running, config changed', running, { unitChanged: false, configChanged: true }, ['restart consul']],
  [
    'running, unit changed',
    running,
    { unitChanged: true, configChanged: false },
    ['reload systemd units', 'restart consul'],
  ],
  [
    'never installed',
    { loaded: false, active: false, failed: false, enabled: false, startedAt: 0 },
    { unitChanged: true, configChanged: true },
    ['reload systemd units', 'enable consul', 'start consul'],
  ],
  ['stopped by hand', { ...running, active: false }, { unitChanged: false, configChanged: false }, ['start consul']],
  [
    'stopped by hand, config changed',
    { ...running, active: false },
    { unitChanged: false, configChanged: true },
    ['start consul'],
  ],
  [
    'crashed until the start limit, config changed',
    { ...running, active: false, failed: true },
    { unitChanged: false, configChanged: true },
    ["clear consul's failed state", 'start consul'],
  ],
];
for (const [name, state, inputs, expected] of services) {
  test(`service: ${name}`, (t) =>
    t.deepEqual(
      planService('consul', state, inputs).map((c) => c.description),
      expected,
    ));
}

test('packages: only the missing ones, in one apt-get', (t) => {
  const { changes, problems } = planPackages(
    [{ name: 'docker.io', version: '20.10.24' }, { name: 'dnsmasq' }],
    new Map([
      ['docker.io', { installed: false }],
      ['dnsmasq', { installed: true, version: '2.89-1' }],
    ]),
  );
  t.deepEqual(
    changes.map((c) => c.description),
    ['install docker.io'],
  );
  t.deepEqual(problems, []);
});

test('packages: all present means no change', (t) => {
  const { changes } = planPackages(
    [{ name: 'dnsmasq' }],
    new Map([['dnsmasq', { installed: true, version: '2.89-1' }]]),
  );
  t.deepEqual(changes, []);
});

test('packages: a pinned package at another version is a problem', (t) => {
  const { problems } = planPackages(
    [{ name: 'docker.io', version: '24.0.5' }],
    new Map([['docker.io', { installed: true, version: '20.10.24+dfsg1-1+deb12u1+b6' }]]),
  );
  t.deepEqual(problems, ['docker.io 20.10.24+dfsg1-1+deb12u1+b6 is installed, but cluster.yaml pins 24.0.5']);
});

const versions: [string, string, boolean][] = [
  ['20.10.24+dfsg1-1+deb12u1+b6', '20.10.24', true],
  ['1:9.2p1-2+deb12u10', '9.2p1', true],
  ['20.10.240+dfsg1', '20.10.24', false],
  ['20.10.2', '20.10.24', false],
];
for (const [installed, version, expected] of versions) {
  test(`versionMatches(${installed}, ${version}) is ${expected}`, (t) =>
    t.is(versionMatches(installed, version), expected));
}

test('users: created only when missing', (t) => {
  t.deepEqual(planSystemUser('consul', true, '/etc/consul.d'), []);
  const [create] = planSystemUser('consul', false, '/etc/consul.d');
  t.deepEqual(create?.kind === 'run' ? create.command : undefined, [
    'useradd',
    '--system',
    '--home-dir',
    '/etc/consul.d',
    '--shell',
    '/bin/false',
    'consul',
  ]);
});
