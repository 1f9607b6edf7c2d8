import test from 'ava';
import {
  debPackages,
  fileContent,
  interfaceWithAddress,
  sudoProblem,
  unitState,
  userExists,
} from '../../src/facts/facts.ts';

// Outputs recorded from a node of the lab (Debian bookworm, systemd 252).

const ok = (stdout: string, exitCode = 0) => ({ exitCode, stdout, stderr: '' });

test('dpkg-query: installed, unknown and removed packages', (t) => {
  const fact = debPackages(['openssh-server', 'docker.io', 'dnsmasq']);
  const state = fact.parse({
    exitCode: 1,
    stdout: 'openssh-server\tinstall ok installed\t1:9.2p1-2+deb12u10\ndnsmasq\tdeinstall ok config-files\t2.89-1\n',
    stderr: 'dpkg-query: no packages found matching docker.io\n',
  });
  t.deepEqual(
    [...state],
    [
      ['openssh-server', { installed: true, version: '1:9.2p1-2+deb12u10' }],
      ['docker.io', { installed: false }],
      ['dnsmasq', { installed: false }],
    ],
  );
});

test('dpkg-query failing for another reason is an error', (t) => {
  t.throws(
    () => debPackages(['x']).parse({ exitCode: 2, stdout: '', stderr: 'dpkg-query: error: cannot access archive\n' }),
    { message: /exit 2: dpkg-query: error/ },
  );
});

test('systemctl show: a running enabled unit and one not found', (t) => {
  t.deepEqual(
    unitState('ssh.service').parse(
      ok(
        'MainPID=40\nExecMainStartTimestampMonotonic=2138327730\n' +
          'LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n',
      ),
    ),
    { loaded: true, active: true, failed: false, enabled: true, startedAt: 2138327730 },
  );
  t.deepEqual(
    unitState('consul.service').parse(
      ok(
        'MainPID=0\nExecMainStartTimestampMonotonic=0\n' +
          'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n',
      ),
    ),
    { loaded: false, active: false, failed: false, enabled: false, startedAt: 0 },
  );
  t.like(
    unitState('nomad.service').parse(
      ok(
        'MainPID=0\nExecMainStartTimestampMonotonic=0\n' +
          'LoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\n',
      ),
    ),
    { active: false, failed: true },
  );
});

test('ip addr: the interface holding the lab address', (t) => {
  const output = [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '107: eth0    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\\       valid_lft forever ' +
      'preferred_lft forever',
    '109: eth1    inet 10.99.0.5/24 brd 10.99.0.255 scope global eth1\\       valid_lft forever preferred_lft forever',
  ].join('\n');
  t.is(interfaceWithAddress('10.99.0.5').parse(ok(output)), 'eth1');
  t.is(interfaceWithAddress('10.99.0.50').parse(ok(output)), undefined);
});

test('getent: a user or none', (t) => {
  t.true(userExists('consul').parse(ok('consul:x:999:999::/etc/consul.d:/bin/false\n')));
  t.false(userExists('consul').parse(ok('', 2)));
});

test('a missing file reads as undefined, not as empty', (t) => {
  t.is(fileContent('/etc/x').parse(ok('', 3)), undefined);
  t.is(fileContent('/etc/x').parse(ok('')), '');
});

test('sudo -n true: passwordless, a password asked, requiretty, no sudo at all', (t) => {
  const fact = sudoProblem('ops');
  t.is(fact.parse(ok('')), undefined);
  t.regex(
    fact.parse({ exitCode: 1, stdout: '', stderr: 'sudo: a password is required\n' })!,
    /^sudo asks user ops for a password .*echo 'ops ALL=\(ALL\) NOPASSWD:ALL' > \/etc\/sudoers.d\/ops/,
  );
  t.regex(
    fact.parse({ exitCode: 1, stdout: '', stderr: 'sudo: sorry, you must have a tty to run sudo\n' })!,
    /needs a terminal \(requiretty in sudoers\).*"Defaults:ops !requiretty"/,
  );
  t.regex(fact.parse({ exitCode: 127, stdout: '', stderr: 'sh: 1: sudo: not found\n' })!, /^sudo is not installed/);
  t.regex(
    fact.parse({ exitCode: 1, stdout: '', stderr: 'sudo: unable to resolve host\n' })!,
    /failed \(exit 1: sudo: unable to resolve host\)/,
  );
});
