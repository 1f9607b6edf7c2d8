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
    for (const line of result.stderr.split('\n')) t.regex(line, new RegExp(`^${file.replaceAll('.', '\\.')}:\\d+:\\d+ `));
    t.notRegex(result.stderr, /\n\s+at /);
  });
}

test('config prints every default', async (t) => {
  const result = await cli('config', '--json');
  t.is(result.exitCode, 0, result.stderr);
  const spec = JSON.parse(result.stdout) as { region: string; nodes: { cpus: number }[] };
  t.is(spec.region, 'global');
  t.deepEqual(spec.nodes.map((n) => n.cpus), [1, 1, 1]);
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
const commands = [['validate'], ['config'], ['plan'], ['up'], ['down'], ['verify'], ['status'], ['reset'], ['image', 'build'], ['artifacts', 'fetch']];
for (const command of commands) {
  test(`${command.join(' ')} refuses an alias bomb with file:line:col, exit 1`, async (t) => {
    const file = 'test/fixtures/invalid/alias-billion-laughs.yaml';
    const result = await cli(...command, '-f', file);
    t.is(result.exitCode, 1, result.stderr);
    t.is(result.stderr, `${file}:12:11 the aliases up to here repeat more than 10000 values in all (a limit against alias bombs): write the values out`);
  });
}

test('a FIFO given with -f is refused, not waited on', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/nomad-lab-cli-`);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await execa('mkfifo', [`${dir}/cluster.yaml`]);
  const result = await execa('node', ['bin/nomad-lab.js', 'validate', '-f', `${dir}/cluster.yaml`], { reject: false, timeout: 60_000 });
  t.is(result.exitCode, 1);
  t.is(result.stderr, `cannot read cluster file ${dir}/cluster.yaml (a FIFO): a cluster file is a regular file; name one with -f FILE`);
});

test('control characters in a file name and in keys are escaped in what the CLI prints', async (t) => {
  const missing = await cli('validate', '-f', 'no-such\u001b[2J.yaml');
  t.is(missing.exitCode, 1);
  t.is(missing.stderr, 'cannot read cluster file no-such\\u001b[2J.yaml (ENOENT): create it, or name another with -f FILE');
  const invalid = await cli('validate', '-f', 'test/fixtures/invalid/escape-sequence-in-key.yaml');
  t.is(invalid.exitCode, 1);
  // eslint-disable-next-line no-control-regex -- no raw escape may reach the terminal
  t.notRegex(invalid.stderr, /\u001b/);
  t.regex(invalid.stderr, /unknown key "\\u001b\[2J\\u001b\[31mrole"/);
});
