import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { execa } from 'execa';

// The scripts the built CLI prints, run by real bash and zsh, with `nomad-lab` on PATH.

let bin = '';
test.before(async () => {
  bin = await mkdtemp(join(tmpdir(), 'nomad-lab-completion-'));
  await writeFile(join(bin, 'nomad-lab'), `#!/bin/sh\nexec node ${resolve('bin/nomad-lab.js')} "$@"\n`);
  await chmod(join(bin, 'nomad-lab'), 0o755);
});

const env = () => ({ PATH: `${bin}:${process.env['PATH'] ?? ''}` });

async function bash(words: string[]): Promise<string[]> {
  const script = `source <(nomad-lab completion bash)
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _nomad_lab
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await execa('bash', ['-c', script, 'bash', ...words], { env: env() });
  return stdout.split('\n').filter(Boolean);
}

const cases: [string[], string[]][] = [
  [
    ['nomad-lab', 's'],
    ['status', 'ssh', 'schema'],
  ],
  [
    ['nomad-lab', 'ssh', ''],
    ['server', 'client1', 'client2'],
  ],
  [
    ['nomad-lab', 'ssh', '-f', 'examples/ha.yaml', 'c'],
    ['client1', 'client2'],
  ],
  [['nomad-lab', 'logs', '--file', 'examples/dev.yaml', ''], ['dev']],
  [
    ['nomad-lab', 'logs', 'client1', ''],
    ['consul', 'nomad', 'docker'],
  ],
  [
    ['nomad-lab', 'logs', 'client1', 'nomad', '-'],
    ['-f', '--follow', '-n', '--lines', '--file', '--help'],
  ],
  [
    ['nomad-lab', 'forget-host-key', 'server', 'c'],
    ['client1', 'client2'],
  ],
  [
    ['nomad-lab', 'completion', ''],
    ['bash', 'zsh'],
  ],
  [
    ['nomad-lab', 'alloc', ''],
    ['status', 'logs'],
  ],
  [
    ['nomad-lab', 'env', '--'],
    ['--file', '--json', '--help'],
  ],
  [['nomad-lab', 'ssh', '-f', 'no-such.yaml', ''], []],
];

for (const [words, expected] of cases) {
  test(`bash: ${words.slice(1).join(' ')}⇥`, async (t) => {
    t.deepEqual(await bash(words), expected);
  });
}

test('zsh: the script parses and registers its function', async (t) => {
  const { stdout } = await execa(
    'zsh',
    [
      '-c',
      'autoload -Uz compinit && compinit -u -D; source <(nomad-lab completion zsh); print -r -- ${_comps[nomad-lab]}',
    ],
    { env: env() },
  );
  t.is(stdout.trim(), '_nomad_lab');
});

/** The zsh function with compadd and _files standing in: what it would offer (zsh filters by prefix itself). */
async function zsh(words: string[]): Promise<string[]> {
  const script = `source <(nomad-lab completion zsh)
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_files() { print -- '<files>'; }
words=("$@"); CURRENT=$#; _nomad_lab`;
  const { stdout } = await execa('zsh', ['-c', script, 'zsh', ...words], { env: env() });
  return stdout.split('\n').filter(Boolean);
}

const zshCases: [string[], string[]][] = [
  [
    ['nomad-lab', 'ssh', ''],
    ['server', 'client1', 'client2'],
  ],
  [
    ['nomad-lab', 'ssh', '-f', 'examples/ha.yaml', 'c'],
    ['server1', 'server2', 'server3', 'client1', 'client2'],
  ],
  [['nomad-lab', 'logs', '--file', 'examples/dev.yaml', ''], ['dev']],
  [
    ['nomad-lab', 'logs', 'client1', ''],
    ['consul', 'nomad', 'docker'],
  ],
  [['nomad-lab', 'validate', '-f', ''], ['<files>']],
  [
    ['nomad-lab', 'env', '-'],
    ['-f', '--file', '--json', '--help'],
  ],
];

for (const [words, expected] of zshCases) {
  test(`zsh: ${words.slice(1).join(' ')}⇥`, async (t) => {
    t.deepEqual(await zsh(words), expected);
  });
}

test('zsh: every command is offered first', async (t) => {
  const offered = await zsh(['nomad-lab', '']);
  for (const name of ['validate', 'up', 'ssh', 'logs', 'env', 'nomad', 'consul', 'init', 'completion'])
    t.true(offered.includes(name), name);
  t.false(offered.includes('__nodes'));
});
