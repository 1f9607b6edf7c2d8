import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import type { Cluster } from '../../src/config/load.ts';
import { labStateDir } from '../../src/host/dirs.ts';
import { nodeContainerName, vagrantNetworkName } from '../../src/render/docker-node-flags.ts';
import { verifyCluster, type VerifyReport } from '../../src/verify/index.ts';
import { cli, defaultLabUp, failures } from './helpers.ts';

// Faults on a real lab (the default lab's layout under its own name and subnet): for each, what the user
// sees, and that a plain re-run of `up` converges to a lab that `verify` passes. The tests run in order
// on one lab; each leaves it healthy for the next. Node commands go through `docker exec`, so a test
// does not depend on the SSH sessions the fault breaks.

const LAB = 'e2e-faults';
const SUBNET = '10.94.0';
let file = '';
let cluster: Cluster;

test.before(async () => {
  ({ file, cluster } = await defaultLabUp(LAB, SUBNET));
});

test.after.always(async () => {
  if (file) await cli(['down', '-f', file]);
});

const container = (node: string) => nodeContainerName(LAB, node);

/** A shell command on a node, as root, through Docker (not SSH). */
async function sh(node: string, command: string, options: { reject?: boolean } = {}) {
  return execa('docker', ['exec', container(node), 'sh', '-c', command], { reject: options.reject ?? true });
}

/** `up` run again converges: exit 0, and verify passes at once (up waits for Nomad to place what the fault stopped). */
async function upConverges(t: {
  is(a: unknown, b: unknown, m?: string): void;
  deepEqual(a: unknown, b: unknown, m?: string): void;
}): Promise<void> {
  const up = await cli(['up', '-f', file]);
  t.is(up.exitCode, 0, up.all);
  t.deepEqual(failures(await verifyCluster(cluster.spec)), [], 'verify after up');
}

/** `up` as a child process in plain-output mode, and a promise for the first stdout line matching `pattern`. */
function upUntil(pattern: RegExp): {
  child: ResultPromise<{ reject: false; all: true; env: Record<string, string> }>;
  seen: Promise<void>;
} {
  const child = execa('node', ['bin/nomad-lab.js', 'up', '-f', file], {
    reject: false,
    all: true,
    env: { CI: 'true' },
  });
  const seen = new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) resolve();
    });
    void child.then(() => reject(new Error(`up ended before printing ${pattern}:\n${text}`)));
  });
  return { child, seen };
}

async function cliVerifyJson(): Promise<{ exitCode: number | undefined; report: VerifyReport; ms: number }> {
  const started = Date.now();
  const result = await cli(['verify', '-f', file, '--json']);
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as VerifyReport, ms: Date.now() - started };
}

test.serial('verify on the healthy lab: cluster checks for every node, all passing', async (t) => {
  const { exitCode, report } = await cliVerifyJson();
  t.is(exitCode, 0, JSON.stringify(failures(report)));
  const names = report.results.map((r) => r.name);
  for (const node of ['server', 'client1', 'client2']) {
    t.true(names.includes(`consul: agent on ${node}`));
    t.true(names.includes(`consul: member ${node}`));
    t.true(names.includes(`nomad: agent on ${node}`));
  }
  t.true(names.includes('consul: raft voter server'));
  t.true(names.includes('nomad: server server'));
  t.true(names.includes('nomad: drivers on client2'));
  t.true(names.includes('nomad: host volumes on client1'));
});

test.serial('Consul stopped on a client: verify exits 1 naming that node; up repairs it', async (t) => {
  await sh('client2', 'systemctl stop consul');
  const { exitCode, report } = await cliVerifyJson();
  t.is(exitCode, 1);
  const failed = report.results.filter((r) => !r.ok);
  t.true(
    failed.some((r) => r.name === 'consul: agent on client2' && r.node === 'client2'),
    JSON.stringify(failed.map((r) => r.name)),
  );
  t.true(
    failed.some((r) => r.name === 'consul: member client2' && /^(left|failed|leaving) client/.test(r.actual)),
    JSON.stringify(failed.map((r) => `${r.name}: ${r.actual}`)),
  );
  await upConverges(t);
});

test.serial(
  "a client's client.hcl removed and Nomad restarted: verify exits 1 naming the node; up repairs it",
  async (t) => {
    await sh('client1', 'rm /etc/nomad.d/client.hcl && systemctl restart nomad');
    const { exitCode, report } = await cliVerifyJson();
    t.is(exitCode, 1);
    const agent = report.results.find((r) => r.name === 'nomad: agent on client1')!;
    t.false(agent.ok);
    t.is(agent.expected, 'client in global/dc1');
    t.regex(agent.message ?? '', /client1/);
    await upConverges(t);
  },
);

test.serial(
  'Ctrl-C during up while it writes configs: exit 130, sessions closed, lock released, every file whole; up ' +
    'again converges',
  async (t) => {
    // Work for the configure steps on every node: their Consul config gone.
    for (const node of ['server', 'client1', 'client2']) await sh(node, 'rm /etc/consul.d/consul.hcl');
    const { child, seen } = upUntil(/configure Consul/);
    await seen;
    child.kill('SIGINT');
    const result = await child;
    t.is(result.exitCode, 130, result.all);
    t.regex(result.stderr, /interrupted during up, at step "configure Consul"/);
    await t.throwsAsync(stat(join(labStateDir(cluster), 'lock')), undefined, 'the lock is released');
    for (const node of ['server', 'client1', 'client2']) {
      // A file is there whole or not at all; no staging copy is left beside it; the units' binaries exist.
      const consul = await sh(node, 'test ! -e /etc/consul.d/consul.hcl || consul validate /etc/consul.d', {
        reject: false,
      });
      t.is(consul.exitCode, 0, `${node}: ${consul.stdout}${consul.stderr}`);
      const stray = await sh(node, 'ls -A /etc/consul.d /etc/nomad.d | grep nomad-lab- || true');
      t.is(stray.stdout, '', node);
      for (const unit of ['consul', 'nomad']) {
        const exec = await sh(
          node,
          `systemctl show -p ExecStart --value ${unit} | sed -n 's/.*path=\\([^ ;]*\\).*/\\1/p'`,
        );
        t.is(
          (await sh(node, `test -x ${exec.stdout.trim()}`, { reject: false })).exitCode,
          0,
          `${node}: ${unit} runs ${exec.stdout}`,
        );
      }
    }
    await upConverges(t);
  },
);

test.serial(
  'two ups at once: the second is refused at once naming the first; down is refused too; a stale lock is taken over',
  async (t) => {
    await sh('client2', 'rm /etc/consul.d/consul.hcl');
    const { child, seen } = upUntil(/connect/);
    await seen;
    const started = Date.now();
    const second = await cli(['up', '-f', file]);
    t.is(second.exitCode, 1);
    t.true(Date.now() - started < 10_000, 'refused at once');
    t.regex(second.stderr, new RegExp(`lab ${LAB} is busy: \`nomad-lab up\` \\(pid ${child.pid} on `));
    const down = await cli(['down', '-f', file]);
    t.is(down.exitCode, 1);
    t.regex(down.stderr, /is busy: `nomad-lab up`/);
    const first = await child;
    t.is(first.exitCode, 0, first.all);

    const gone = execa('true');
    await gone;
    await writeFile(
      join(labStateDir(cluster), 'lock'),
      JSON.stringify({
        pid: gone.pid,
        host: (await execa('hostname')).stdout,
        command: 'up',
        startedAt: new Date().toISOString(),
      }),
    );
    const after = await cli(['up', '-f', file]);
    t.is(after.exitCode, 0, after.all);
  },
);

test.serial(
  'a node container killed in the middle of up: the failure names the node and the step; up again boots it and ' +
    'converges',
  async (t) => {
    await sh('client2', 'rm /etc/consul.d/consul.hcl');
    const { child, seen } = upUntil(/install packages/);
    await seen;
    await execa('docker', ['kill', container('client2')]);
    const result = await child;
    t.is(result.exitCode, 1, result.all);
    t.regex(result.stderr, /client2/);
    t.regex(result.stderr, /up stopped at step "[^"]+"/);
    await upConverges(t);
  },
);

test.serial(
  "the server's Consul and Nomad data wiped and both agents stopped: up repairs them, jobs come back",
  async (t) => {
    await sh('server', 'systemctl stop nomad consul && rm -rf /opt/consul/* /opt/nomad/*');
    const { exitCode } = await cliVerifyJson();
    t.is(exitCode, 1);
    await upConverges(t);
  },
);

test.serial(
  "a new host key behind nomad-lab's back is refused with the way to accept it; a machine nomad-lab re-creates " +
    'itself is re-pinned',
  async (t) => {
    await sh('client2', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh');
    const refused = await cli(['up', '-f', file]);
    t.is(refused.exitCode, 1);
    t.regex(refused.stderr, /\[client2\] host key of .* changed: pinned SHA256:\S+, offered SHA256:\S+/);
    t.regex(refused.stderr, /accept its new key with `nomad-lab forget-host-key client2`/);
    const forget = await cli(['forget-host-key', 'client2', '-f', file]);
    t.is(forget.exitCode, 0, forget.all);
    t.regex(forget.stdout, /forgot 1 pinned key of client2/);
    await upConverges(t);

    // Destroyed behind its back: Vagrant finds it not created, nomad-lab boots a new one and pins its key.
    await execa('docker', ['rm', '-f', container('client2')]);
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 0, up.all);
    t.regex(up.all, /host keys pinned anew: client2/);
    t.deepEqual(failures(await verifyCluster(cluster.spec)), []);
  },
);

test.serial(
  'a full disk when a config is written: the error names node and file, the old config stays, the service keeps ' +
    'running',
  async (t) => {
    const before = (await sh('client1', 'sha256sum /etc/nomad.d/client.hcl')).stdout;
    // A tiny tmpfs over /etc/nomad.d with the same files, one of them edited (so up must write it), then filled.
    await sh(
      'client1',
      [
        'cp -a /etc/nomad.d /run/nomad.d.real',
        'mount -t tmpfs -o size=64k,mode=750 tmpfs /etc/nomad.d',
        'cp -a /run/nomad.d.real/. /etc/nomad.d/',
        'echo "# edited by hand" >> /etc/nomad.d/client.hcl',
        'dd if=/dev/zero of=/etc/nomad.d/.fill bs=4k count=64 2>/dev/null || true',
      ].join(' && '),
    );
    const edited = (await sh('client1', 'sha256sum /etc/nomad.d/client.hcl')).stdout;
    const up = await cli(['up', '-f', file]);
    t.is(up.exitCode, 1);
    t.regex(up.stderr, /\[client1\].*\/etc\/nomad\.d\/client\.hcl/);
    t.regex(up.stderr, /No space left on device/);
    t.is((await sh('client1', 'sha256sum /etc/nomad.d/client.hcl')).stdout, edited, 'the previous file is intact');
    t.is((await sh('client1', 'systemctl is-active nomad', { reject: false })).stdout.trim(), 'active');
    await sh('client1', 'umount /etc/nomad.d && rm -rf /run/nomad.d.real');
    t.is((await sh('client1', 'sha256sum /etc/nomad.d/client.hcl')).stdout, before);
    await upConverges(t);
  },
);

test.serial(
  'a client cut off the lab network: verify names it within its time bound; reconnected, up converges',
  async (t) => {
    const network = vagrantNetworkName(cluster.spec.network.cidr);
    await execa('docker', ['network', 'disconnect', network, container('client2')]);
    t.teardown(() =>
      execa('docker', ['network', 'connect', '--ip', `${SUBNET}.12`, network, container('client2')], { reject: false }),
    );
    const { exitCode, report, ms } = await cliVerifyJson();
    t.is(exitCode, 1);
    t.true(ms < 20_000, `verify took ${ms} ms`);
    const agent = report.results.find((r) => r.name === 'consul: agent on client2')!;
    t.false(agent.ok);
    t.regex(agent.message ?? '', /client2/);
    await execa('docker', ['network', 'connect', '--ip', `${SUBNET}.12`, network, container('client2')]);
    await upConverges(t);
  },
);

test.serial(
  'the package archive failing once is retried; failing every time is a clear error naming node and archive message',
  async (t) => {
    const shim = [
      '#!/bin/sh',
      'if [ "$1" = update ] && { [ -e /run/apt-always-fails ] || [ ! -e /run/apt-failed-once ]; }; then',
      '  touch /run/apt-failed-once',
      '  echo "E: At least one invalid signature was encountered." >&2',
      '  exit 100',
      'fi',
      'exec /usr/bin/apt-get "$@"',
    ].join('\n');
    await sh(
      'server',
      `cat > /usr/local/sbin/apt-get ` +
        `<<'EOF'\n${shim}\nEOF\nchmod 755 /usr/local/sbin/apt-get && rm -f ` +
        `/run/apt-failed-once /run/apt-always-fails`,
    );
    t.teardown(() => sh('server', 'rm -f /usr/local/sbin/apt-get', { reject: false }));

    await sh('server', 'DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get remove -y -q dnsmasq >/dev/null');
    const once = await cli(['up', '-f', file]);
    t.is(once.exitCode, 0, once.all);
    t.regex(once.stdout, /^server: install dnsmasq$/m);

    await sh(
      'server',
      'touch /run/apt-always-fails && DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get remove -y -q dnsmasq >/dev/null',
    );
    const always = await cli(['up', '-f', file]);
    t.is(always.exitCode, 1);
    t.regex(always.stderr, /\[server\] exit 100: apt-get install dnsmasq/);
    t.regex(always.stderr, /At least one invalid signature was encountered/);
    t.regex(always.stderr, /apt-get update failed 4 times/);

    await sh('server', 'rm -f /usr/local/sbin/apt-get');
    await upConverges(t);
  },
);
