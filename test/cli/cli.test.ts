import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { execa } from 'execa';

// The built CLI, as a user runs it: `npm test` builds before ava runs.
const cli = (...args: string[]) => execa('node', ['bin/nomad-lab.js', ...args], { reject: false });

for (const file of ['cluster.yaml', 'examples/dev.yaml', 'examples/ha.yaml', 'examples/existing-hosts.yaml']) {
  test(`validate -f ${file} exits 0`, async (t) => {
    const result = await cli('validate', '-f', file);
    t.is(result.exitCode, 0, result.stderr);
    t.regex(result.stdout, new RegExp(`^${file.replace('.', '\\.')}: valid: `));
  });
}

test('validate with no -f reads ./cluster.yaml', async (t) => {
  const result = await cli('validate');
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout, 'cluster.yaml: valid: 3 nodes (1 server, 2 clients), 3 jobs, 4 services to verify');
});

for (const fixture of ['tab-indentation', 'unclosed-quote', 'misspelled-key']) {
  test(`validate reports ${fixture} with file:line:col and no stack trace`, async (t) => {
    const file = `test/fixtures/invalid/${fixture}.yaml`;
    const result = await cli('validate', '-f', file);
    t.is(result.exitCode, 1);
    t.is(result.stdout, '');
    for (const line of result.stderr.split('\n'))
      t.regex(line, new RegExp(`^${file.replaceAll('.', '\\.')}:\\d+:\\d+ `));
    t.notRegex(result.stderr, /\n\s+at /);
  });
}

test('config prints every default', async (t) => {
  const result = await cli('config', '--json');
  t.is(result.exitCode, 0, result.stderr);
  const spec = JSON.parse(result.stdout) as { region: string; nodes: { cpus: number }[] };
  t.is(spec.region, 'global');
  t.deepEqual(
    spec.nodes.map((n) => n.cpus),
    [1, 1, 1],
  );
});

test('plan prints node by node and touches nothing', async (t) => {
  const result = await cli('plan');
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^server \(server, 10\.77\.0\.10\)\n {2}boot +vagrant docker machine/);
  t.regex(result.stdout, /\nclient2 \(client, 10\.77\.0\.12\)\n/);
  t.regex(result.stdout, /\ncluster\n {2}deploy +job whoami/);
});

test('an unknown command is a usage error', async (t) => {
  const result = await cli('frobnicate');
  t.not(result.exitCode, 0);
  t.regex(result.stderr, /unknown command 'frobnicate'/);
});

// Hostile files fail where the file is read, before any command does anything with it.
const commands = [
  ['validate'],
  ['config'],
  ['plan'],
  ['up'],
  ['down'],
  ['verify'],
  ['status'],
  ['reset'],
  ['image', 'build'],
  ['artifacts', 'fetch'],
];
for (const command of commands) {
  test(`${command.join(' ')} refuses an alias bomb with file:line:col, exit 1`, async (t) => {
    const file = 'test/fixtures/invalid/alias-billion-laughs.yaml';
    const result = await cli(...command, '-f', file);
    t.is(result.exitCode, 1, result.stderr);
    t.is(
      result.stderr,
      `${file}:12:11 the aliases up to here repeat more than 10000 values in all (a limit against alias bombs): ` +
        `write the values out`,
    );
  });
}

test('a FIFO given with -f is refused, not waited on', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/nomad-lab-cli-`);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await execa('mkfifo', [`${dir}/cluster.yaml`]);
  const result = await execa('node', ['bin/nomad-lab.js', 'validate', '-f', `${dir}/cluster.yaml`], {
    reject: false,
    timeout: 60_000,
  });
  t.is(result.exitCode, 1);
  t.is(
    result.stderr,
    `cannot read cluster file ${dir}/cluster.yaml (a FIFO): a cluster file is a regular file; name one with -f FILE`,
  );
});

test('control characters in a file name and in keys are escaped in what the CLI prints', async (t) => {
  const missing = await cli('validate', '-f', 'no-such\u001b[2J.yaml');
  t.is(missing.exitCode, 1);
  t.is(
    missing.stderr,
    'cannot read cluster file no-such\\u001b[2J.yaml (ENOENT): create it, or name another with -f FILE',
  );
  const invalid = await cli('validate', '-f', 'test/fixtures/invalid/escape-sequence-in-key.yaml');
  t.is(invalid.exitCode, 1);
  // eslint-disable-next-line no-control-regex -- no raw escape may reach the terminal
  t.notRegex(invalid.stderr, /\u001b/);
  t.regex(invalid.stderr, /unknown key "\\u001b\[2J\\u001b\[31mrole"/);
});

test('--version names nomad-lab and the Consul and Nomad it installs', async (t) => {
  const result = await cli('--version');
  t.is(result.exitCode, 0);
  t.regex(result.stdout, /^nomad-lab 0\.\d+\.\d+\nconsul 1\.22\.7, nomad 1\.11\.3 /);
});

test('validate --json: the summary when valid, every issue when not', async (t) => {
  const ok = await cli('validate', '--json');
  t.is(ok.exitCode, 0, ok.stderr);
  t.like(JSON.parse(ok.stdout), {
    file: 'cluster.yaml',
    valid: true,
    summary: '3 nodes (1 server, 2 clients), 3 jobs, 4 services to verify',
    issues: [],
  });
  const bad = await cli('validate', '--json', '-f', 'test/fixtures/invalid/misspelled-key.yaml');
  t.is(bad.exitCode, 1);
  const report = JSON.parse(bad.stdout) as { valid: boolean; issues: { line: number; col: number; path: string }[] };
  t.false(report.valid);
  t.deepEqual(
    report.issues.map((i) => `${i.line}:${i.col} ${i.path}`),
    ['26:5 nodes[1].address', '28:5 nodes[1].adress'],
  );
});

test('init --example dev in an empty folder, then validate there', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nomad-lab-cli-init-'));
  const init = await execa('node', [resolve('bin/nomad-lab.js'), 'init', '--example', 'dev'], {
    cwd: dir,
    reject: false,
  });
  t.is(init.exitCode, 0, init.stderr);
  t.is(
    init.stdout,
    'wrote cluster.yaml\nwrote jobs/whoami.nomad.hcl\ninit: 1 node (1 server+client), 1 job, 1 service to ' +
      'verify\nnext: nomad-lab validate, nomad-lab up, nomad-lab verify',
  );
  const validate = await execa('node', [resolve('bin/nomad-lab.js'), 'validate'], { cwd: dir, reject: false });
  t.is(validate.exitCode, 0, validate.stderr);
  const again = await execa('node', [resolve('bin/nomad-lab.js'), 'init'], { cwd: dir, reject: false });
  t.is(again.exitCode, 1);
  t.regex(again.stderr, /already has cluster\.yaml/);
});

test('init --example names the starters it has', async (t) => {
  const result = await cli('init', '--example', 'huge', '--dir', tmpdir());
  t.is(result.exitCode, 1);
  t.regex(result.stderr, /Allowed choices are default, dev, dev-mode, container-mode, ha, existing-hosts/);
});

test('schema prints the JSON Schema the package ships', async (t) => {
  const result = await cli('schema');
  t.is(result.exitCode, 0, result.stderr);
  t.is(`${result.stdout}\n`, await readFile('schema/cluster.schema.json', 'utf8'));
});

test('logs rejects a service it does not know, before contacting anything', async (t) => {
  const result = await cli('logs', 'server', 'vault');
  t.is(result.exitCode, 1);
  t.is(result.stderr, 'logs: no service "vault"; one of consul, nomad, docker');
});

test('ssh and logs name the nodes the file has', async (t) => {
  for (const args of [
    ['ssh', 'nope'],
    ['logs', 'nope', 'consul'],
  ]) {
    const result = await cli(...args);
    t.is(result.exitCode, 1);
    t.is(result.stderr, 'cluster.yaml has no node nope; its nodes: server, client1, client2');
  }
});

test('doctor --json: every prerequisite with its fix, and the exit code doctor gives', async (t) => {
  const result = await cli('doctor', '--json');
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    prerequisites: { name: string; ok: boolean; required: boolean; fix: string }[];
    oldImages: unknown[];
  };
  t.true(report.prerequisites.length > 3);
  t.true(report.prerequisites.some((p) => p.name === 'ssh client'));
  t.is(
    report.ok,
    report.prerequisites.every((p) => p.ok || !p.required),
  );
  t.is(result.exitCode, report.ok ? 0 : 1);
  t.true(Array.isArray(report.oldImages));
});
