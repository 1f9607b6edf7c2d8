import type { Command } from '@commander-js/extra-typings';
import type { Cluster } from '../../config/load.ts';
import { NomadLabError } from '../../errors.ts';
import { knownHostsFile } from '../../host/dirs.ts';
import { journalCommand, LOG_SERVICES, sshArgs, type LogService } from '../../lab-access.ts';
import type { NodeEndpoint } from '../../remote/endpoint.ts';
import { load } from '../load.ts';
import { fileOption, pathArgument } from '../options.ts';
import { runInherited } from '../spawn.ts';

/** The node's endpoint, its host key checked (and pinned on first contact) by nomad-lab's own client first. */
async function reach(cluster: Cluster, node: string, file: string): Promise<NodeEndpoint> {
  const names = cluster.spec.nodes.map((n) => n.name);
  if (!names.includes(node)) throw new NomadLabError(`${file} has no node ${node}; its nodes: ${names.join(', ')}`);
  // Loaded here, not at start-up: they bring ssh2 and execa, which other commands do without.
  const [{ providerFor }, { connect }] = await Promise.all([
    import('../../providers/index.ts'),
    import('../../remote/connect.ts'),
  ]);
  const endpoint = (await providerFor(cluster).endpoints(cluster)).find((e) => e.node === node);
  if (!endpoint)
    throw new NomadLabError(`${node}: the provider gives no way to reach it; is the lab up? (\`nomad-lab status\`)`);
  const remote = await connect(endpoint, { knownHostsFile: knownHostsFile(cluster), deadlineMs: 10_000 });
  await remote.close();
  return endpoint;
}

/** OpenSSH on the terminal, against the lab's pinned host keys; its exit code becomes nomad-lab's. */
async function ssh(cluster: Cluster, endpoint: NodeEndpoint, command: readonly string[], tty: boolean): Promise<void> {
  process.exitCode = await runInherited('ssh', sshArgs(endpoint, knownHostsFile(cluster), command, tty));
}

/** The command after NODE: commander keeps the `--` that ends nomad-lab's options (passThroughOptions). */
export function remoteCommand(args: readonly string[]): string[] {
  return args[0] === '--' ? args.slice(1) : [...args];
}

export function registerSsh(program: Command): void {
  program
    .command('ssh')
    .description("a shell on a node, or one command (its exit code passed through), with the lab's pinned host key")
    .argument('<node>', 'a node name from the cluster file')
    .argument(
      '[command...]',
      'after --: a command to run instead of a shell, each argument as given (use `sh -c "..."` for a pipeline)',
    )
    .option(...fileOption)
    .passThroughOptions()
    .action(async (node, args, { file }) => {
      const command = remoteCommand(args);
      const cluster = await load(file);
      const endpoint = await reach(cluster, node, file);
      await ssh(cluster, endpoint, command, command.length === 0 && process.stdin.isTTY);
    });
}

export function parseLines(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new NomadLabError(`-n takes a whole number of lines, not "${value}"`);
  return n;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("a node's journal for consul, nomad or docker (all three when none is named), over SSH")
    .argument('<node>', 'a node name from the cluster file')
    .argument('[service]', `one of ${LOG_SERVICES.join(', ')}`)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many of the last lines', parseLines, 100)
    .option('--file <file>', 'cluster file', pathArgument, 'cluster.yaml')
    .action(async (node, service, { follow, lines, file }) => {
      if (service !== undefined && !(LOG_SERVICES as readonly string[]).includes(service)) {
        throw new NomadLabError(`logs: no service "${service}"; one of ${LOG_SERVICES.join(', ')}`);
      }
      const cluster = await load(file);
      const endpoint = await reach(cluster, node, file);
      const services = service === undefined ? LOG_SERVICES : [service as LogService];
      await ssh(cluster, endpoint, journalCommand(endpoint.user, services, { follow: follow === true, lines }), false);
    });
}
