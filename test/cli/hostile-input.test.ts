import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import test from 'ava';
import { execa } from 'execa';

// Every input path of the CLI holds the loader's line: refused with file:line:col or the option named, exit 1,
// no stack trace, no raw control or invisible character, at most 64 KiB, and quickly.

const cli = (args: string[], options: { env?: Record<string, string>; timeout?: number } = {}) =>
  execa('node', ['bin/nomad-lab.js', ...args], {
    reject: false,
    timeout: options.timeout ?? 10_000,
    env: options.env ?? {},
  });

const temp = () => mkdtemp(join(tmpdir(), 'nomad-lab-hostile-'));
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

const minimal = 'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 }\n';

test('validate --json on 5,000 unknown keys prints at most 64 KiB and counts what it left out', async (t) => {
  const dir = await temp();
  const file = join(dir, 'cluster.yaml');
  await writeFile(file, minimal + Array.from({ length: 5000 }, (_, i) => `k${i}: 1\n`).join(''));
  const result = await cli(['validate', '--json', '-f', file]);
  t.is(result.exitCode, 1);
  t.true(Buffer.byteLength(result.stdout) <= 64 * 1024, `${Buffer.byteLength(result.stdout)} bytes`);
  const report = JSON.parse(result.stdout) as { valid: boolean; issues: unknown[]; more: number };
  t.false(report.valid);
  t.is(report.issues.length, 20);
  t.is(report.more, 4980);
});

test('validate --json keeps every message short even when each is all escapes', async (t) => {
  const dir = await temp();
  const file = join(dir, 'cluster.yaml');
  const key = (i: number) => JSON.stringify(`k${i}${'\u0001'.repeat(900)}`);
  await writeFile(file, minimal + Array.from({ length: 40 }, (_, i) => `${key(i)}: 1\n`).join(''));
  const result = await cli(['validate', '--json', '-f', file]);
  t.is(result.exitCode, 1);
  t.true(Buffer.byteLength(result.stdout) <= 64 * 1024, `${Buffer.byteLength(result.stdout)} bytes`);
  t.notRegex(result.stdout, RAW);
  const text = await cli(['validate', '-f', file]);
  t.true(Buffer.byteLength(text.stderr) <= 64 * 1024, `${Buffer.byteLength(text.stderr)} bytes`);
  t.notRegex(text.stderr, RAW);
});

test(
  'a collection as a key is refused at its own position, ' + 'and the yaml library prints nothing of its own',
  async (t) => {
    const dir = await temp();
    const file = join(dir, 'cluster.yaml');
    await writeFile(file, `${minimal}? [a, "\u202e\u0085x"]\n: 1\n`);
    const result = await cli(['validate', '-f', file]);
    t.is(result.exitCode, 1);
    t.is(
      result.stderr,
      `${relative(process.cwd(), file)}:5:3 a list is used as a key: a key is plain text, like "role"`,
    );
  },
);

test('an out-of-range ssh.host is a ConfigError, not a crash', async (t) => {
  const dir = await temp();
  const file = join(dir, 'cluster.yaml');
  await writeFile(
    file,
    'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nprovider: { type: ssh }\nnodes:\n  - { name: a, role: both, ' +
      'address: 10.9.0.2, ssh: { host: 256.1.1.1 } }\n',
  );
  const result = await cli(['validate', '-f', file]);
  t.is(result.exitCode, 1);
  t.regex(
    result.stderr,
    /:5:\d+ nodes\[0\]\.ssh\.host: "256\.1\.1\.1" looks like an IPv4 address, but its numbers are out of range/,
  );
  t.notRegex(result.stderr, /\n\s+at /);
});

test('a FIFO and /dev/zero are refused at once', async (t) => {
  const dir = await temp();
  const fifo = join(dir, 'fifo.yaml');
  await execa('mkfifo', [fifo]);
  for (const [file, kind] of [
    [fifo, 'a FIFO'],
    ['/dev/zero', 'a character device'],
  ] as const) {
    const started = Date.now();
    const result = await cli(['validate', '-f', file]);
    t.is(result.exitCode, 1);
    t.is(
      result.stderr,
      `cannot read cluster file ${file} (${kind}): a cluster file is a regular file; name one with -f FILE`,
    );
    t.true(Date.now() - started < 5000);
  }
});

test('-f empty or too long is refused naming the option; a name with control characters is escaped', async (t) => {
  for (const file of ['x'.repeat(5000), '']) {
    const result = await cli(['validate', '-f', file]);
    t.is(result.exitCode, 1);
    t.regex(result.stderr, /option '-f, --file <file>' argument .* is invalid/);
    t.true(result.stderr.length < 8000, `${result.stderr.length} characters`);
  }
  const invisible = await cli(['validate', '-f', 'x\u200b\u202e.yaml']);
  t.is(invisible.exitCode, 1);
  t.is(
    invisible.stderr,
    'cannot read cluster file x\\u200b\\u202e.yaml (ENOENT): create it, or name another with -f FILE',
  );
});

test('a bad environment variable is refused naming it, exit 1, no stack', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { NOMAD_LAB_CACHE: 'relative/cache' },
      /^environment variable NOMAD_LAB_CACHE="relative\/cache": an absolute path; fix or unset it$/,
    ],
    [
      { NOMAD_LAB_CACHE: '/tmp/\u001b[2J' },
      new RegExp(
        [
          String.raw`^environment variable NOMAD_LAB_CACHE="/tmp/\\u001b\[2J": `,
          String.raw`a path without control or invisible characters; fix or unset it$`,
        ].join(''),
      ),
    ],
  ];
  for (const [env, expected] of cases) {
    const result = await cli(['artifacts', 'fetch', '-f', 'examples/dev.yaml'], { env: { ...env, CI: '1' } });
    t.is(result.exitCode, 1, result.stderr);
    t.regex(result.stderr.split('\n').at(-1)!, expected);
    t.notRegex(result.stderr, /\n\s+at /);
  }
});

test('__nodes answers at once for a FIFO, /dev/zero and a 10 MB file, and lists nothing', async (t) => {
  const dir = await temp();
  const fifo = join(dir, 'fifo.yaml');
  await execa('mkfifo', [fifo]);
  const big = join(dir, 'big.yaml');
  await writeFile(big, `nodes:\n${'  - { name: a }\n'.repeat(700_000)}`);
  for (const file of [fifo, '/dev/zero', big]) {
    const started = Date.now();
    const result = await cli(['__nodes', '--file', file]);
    t.is(result.exitCode, 0);
    t.is(result.stdout, '');
    t.true(Date.now() - started < 5000, `${file}: ${Date.now() - started} ms`);
  }
});

test('__nodes ends on SIGTERM', async (t) => {
  const child = execa('node', ['bin/nomad-lab.js', '__nodes', '--file', 'cluster.yaml'], {
    reject: false,
    timeout: 10_000,
  });
  child.kill('SIGTERM');
  const result = await child;
  t.false(result.timedOut);
});
