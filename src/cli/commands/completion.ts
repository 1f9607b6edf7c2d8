import { Argument, type Command } from '@commander-js/extra-typings';
import { bashCompletion, NODES_COMMAND, zshCompletion, type CompletionCommand } from '../../completion.ts';
import { readNodeNames } from '../../config/load.ts';
import { LOG_SERVICES } from '../../lab-access.ts';

const NODES_DEADLINE_MS = 2000;

const SHELLS = ['bash', 'zsh'] as const;

/** Positional arguments completion knows more about than commander does. */
const POSITIONALS: Record<string, Pick<CompletionCommand, 'positionals' | 'rest'>> = {
  ssh: { positionals: ['nodes'] },
  logs: { positionals: ['nodes', LOG_SERVICES] },
  'forget-host-key': { positionals: ['nodes'], rest: true },
  completion: { positionals: [SHELLS] },
};

/** What completion knows of each command, read from the program itself. */
export function completionCommands(program: Command): CompletionCommand[] {
  return program.commands
    .filter((c) => !c.name().startsWith('__'))
    .map((c) => {
      const options = c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
      const valueOptions = c.options
        .filter((o) => o.required || o.optional)
        .flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
      const subcommands = c.commands.map((s) => s.name());
      return {
        name: c.name(),
        options: [...options, '--help'],
        valueOptions,
        positionals: subcommands.length > 0 ? [subcommands] : [],
        ...POSITIONALS[c.name()],
      };
    });
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description(
      'print a shell completion script: source <(nomad-lab completion bash), or zsh; node names come from the ' +
        'cluster file',
    )
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(SHELLS))
    .action((shell) => {
      const commands = completionCommands(program);
      process.stdout.write(shell === 'bash' ? bashCompletion(commands) : zshCompletion(commands));
    });

  // For the completion scripts: the cluster file's node names, one a line, and nothing on any problem.
  program
    .command(NODES_COMMAND, { hidden: true })
    .option('--file <file>', 'cluster file', 'cluster.yaml')
    .action(async ({ file }) => {
      // It runs on every Tab: whatever the file is, the shell gets its prompt back within the deadline.
      setTimeout(() => process.exit(0), NODES_DEADLINE_MS).unref();
      try {
        const names = await readNodeNames(file);
        if (names.length > 0) console.log(names.join('\n'));
      } catch {
        // A completion that fails offers nothing rather than an error in the middle of a command line.
      }
    });
}
