import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse } from 'shell-quote';
import { batchLines, encodeBatch } from '../../../src/facts/batch.ts';
import { displayCommand, isScript, type Command } from '../../../src/remote/quote.ts';
import type { ExecOptions, ExecResult, Remote, UploadOptions, UploadSource } from '../../../src/remote/remote.ts';
import { checkExit } from '../../../src/remote/ssh-remote.ts';

// An in-memory node for unit tests of the pipeline: it answers the fact commands nomad-lab sends from a small
// model (files, units, packages, users, folders, images) and applies the changes to that model, so a second
// run sees the first one's work. It logs every command that changes something, in order. Its Consul and Nomad
// answer their HTTP APIs (what the steps read of them) on loopback, through `forward` as a node's SSH channel
// would. Real transports, shells and agents are tested end to end; this tests which commands the pipeline sends,
// and when.

interface FakeFile {
  content: Buffer;
  mode: number;
  owner: string;
  group: string;
}

interface FakeUnit {
  active: boolean;
  enabled: boolean;
  failed: boolean;
  starts: number;
}

/** What dpkg says of a package's version; anything else is 1.0-1. */
const FAKE_VERSIONS: Record<string, string> = {
  'docker.io': '20.10.24+dfsg1-1+deb12u1',
  'docker-ce': '5:27.5.1-1~debian.12~bookworm',
};

const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export class FakeNode implements Remote {
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Map<string, string>();
  readonly units = new Map<string, FakeUnit>();
  readonly packages = new Set<string>();
  readonly users = new Set<string>(['root']);
  readonly images = new Set<string>();
  /**
   * Every command that changes the node, as `displayCommand` shows it, every put as `put PATH`, and every API request
   * that is not a GET as `Consul API PUT /v1/agent/join/10.77.0.10`.
   */
  readonly log: string[] = [];
  /** Every API request to the node's agents, as `Consul API GET /v1/agent/members`, reads included. */
  readonly requests: string[] = [];
  /** The agents' loopback servers, by the port the node's agent listens on. */
  private readonly agents = new Map<number, Promise<number>>();
  /** Commands that fail: a test's way to break one. */
  readonly failing = new Set<string>();
  /** What a `docker load -i PATH` of a tarball adds to the node's Docker. */
  readonly tarballTags = new Map<string, string>();

  constructor(
    readonly node: string,
    readonly address: string,
    private readonly cluster: FakeNode[] = [],
  ) {
    this.files.set('/etc/resolv.conf', {
      content: Buffer.from('nameserver 10.0.2.3\n'),
      mode: 0o644,
      owner: 'root',
      group: 'root',
    });
  }

  /** Changes since the last call: the commands a step run sent. */
  take(): string[] {
    return this.log.splice(0);
  }

  // exec and put work in a Promise executor: what they throw is a rejection, as from a real node.
  exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve) => resolve(this.execNow(command, options)));
  }

  private execNow(command: Command, options: ExecOptions): ExecResult {
    const lines = batchLines(command);
    if (lines) return ok(encodeBatch(lines.map((line) => this.answer(parse(line) as string[], undefined))));
    const argv = isScript(command) ? ['sh', '-c', command.script, 'sh', ...(command.args ?? [])] : [...command];
    const stdin = typeof options.stdin === 'string' ? options.stdin : undefined;
    const display = displayCommand(command);
    if (this.failing.has(display)) return { exitCode: 1, stdout: '', stderr: `${display}: broken by the test` };
    return this.answer(argv, stdin, display);
  }

  async run(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.exec(command, options);
    return checkExit(this.node, command, result);
  }

  put(source: UploadSource, path: string, options: UploadOptions): Promise<void> {
    return new Promise((resolve) => {
      const content =
        typeof source === 'string'
          ? Buffer.from(source)
          : Buffer.isBuffer(source)
            ? source
            : readFileSync(source.localPath);
      this.files.set(path, {
        content,
        mode: options.mode,
        owner: options.owner ?? 'root',
        group: options.group ?? 'root',
      });
      this.log.push(`put ${path}`);
      resolve();
    });
  }

  /** A connection to the node's Consul (8500, 8501) or Nomad (4646) at 127.0.0.1; nothing else answers. */
  async forward(host: string, port: number): Promise<Duplex> {
    const product = port === 4646 ? 'Nomad' : port === 8500 || port === 8501 ? 'Consul' : undefined;
    if (host !== '127.0.0.1' || !product) throw new Error(`the fake node has nothing at ${host}:${port}`);
    if (!this.agents.has(port)) this.agents.set(port, this.listen(product));
    const local = await this.agents.get(port)!;
    return await new Promise<Duplex>((resolve, reject) => {
      const socket = connect(local, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  /** A loopback server for the node's agent; unref'd, so a test that never closes the node still ends. */
  private listen(product: 'Consul' | 'Nomad'): Promise<number> {
    const server = createServer((request, response) => {
      const line = `${product} API ${request.method} ${request.url}`;
      this.requests.push(line);
      if (request.method !== 'GET') this.log.push(line);
      request.resume();
      request.on('end', () => {
        const { status, body } = this.agentAnswer(product, request.url ?? '');
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
    });
    server.unref();
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  }

  /** What the steps read of the agents: every node of the cluster an alive member, and a ready Nomad client. */
  private agentAnswer(product: 'Consul' | 'Nomad', path: string): { status: number; body: string } {
    const json = (value: unknown) => ({ status: 200, body: JSON.stringify(value) });
    if (product === 'Consul' && path === '/v1/agent/members')
      return json(
        this.cluster.map((n, i) => ({
          Name: n.node,
          Addr: n.address,
          Port: 8301,
          Status: 1,
          Tags: { role: i === 0 ? 'consul' : 'node' },
        })),
      );
    if (product === 'Consul' && path.startsWith('/v1/agent/join/')) return { status: 200, body: '' };
    if (product === 'Nomad' && path === '/v1/status/leader') return json(`${this.cluster[0]?.address}:4647`);
    if (product === 'Nomad' && path === '/v1/nodes')
      return json(
        this.cluster.map((n) => ({
          ID: n.node,
          Name: n.node,
          Status: 'ready',
          Drivers: { docker: { Detected: true, Healthy: true } },
        })),
      );
    return { status: 404, body: `the fake ${product} has no ${path}` };
  }

  async close(): Promise<void> {}

  private unit(name: string): FakeUnit {
    let unit = this.units.get(name);
    if (!unit) this.units.set(name, (unit = { active: false, enabled: false, failed: false, starts: 0 }));
    return unit;
  }

  private loaded(name: string): boolean {
    return (
      this.files.has(`/etc/systemd/system/${name}.service`) ||
      (name === 'docker' ? ['docker.io', 'docker-ce'] : [name]).some((p) => this.packages.has(p))
    );
  }

  private answer(argv: string[], stdin: string | undefined, display = argv.join(' ')): ExecResult {
    const [file, ...args] = argv;
    if (file === 'timeout') return this.answer(args.slice(1), stdin, display);
    if (file === 'sh' && args[0] === '-c') return this.script(args[1]!, args.slice(3), stdin, display);
    switch (file) {
      case 'dpkg-query': {
        const names = args.slice(3);
        return {
          exitCode: names.every((n) => this.packages.has(n)) ? 0 : 1,
          stdout: names
            .filter((n) => this.packages.has(n))
            .map((n) => `${n}\tinstall ok installed\t${FAKE_VERSIONS[n] ?? '1.0-1'}\n`)
            .join(''),
          stderr: '',
        };
      }
      case 'systemctl': {
        const [verb, unit] = args as [string, string];
        if (verb === 'show') {
          const u = this.unit(unit);
          return ok(
            [
              `LoadState=${this.loaded(unit) ? 'loaded' : 'not-found'}`,
              `ActiveState=${u.failed ? 'failed' : u.active ? 'active' : 'inactive'}`,
              'SubState=running',
              `UnitFileState=${u.enabled ? 'enabled' : ''}`,
              `ExecMainStartTimestampMonotonic=${u.starts}`,
              '',
            ].join('\n'),
          );
        }
        this.log.push(display);
        if (verb === 'enable') this.unit(unit).enabled = true;
        if (verb === 'reset-failed') this.unit(unit).failed = false;
        if (verb === 'start' || verb === 'restart') {
          const u = this.unit(unit);
          if (u.failed && verb === 'start')
            return { exitCode: 1, stdout: '', stderr: 'start request repeated too quickly' };
          Object.assign(u, { active: true, starts: u.starts + 1 });
        }
        return ok();
      }
      case 'getent':
        return args[0] === 'passwd'
          ? { exitCode: this.users.has(args[1]!) ? 0 : 2, stdout: '', stderr: '' }
          : ok(`${this.cluster[0]?.address ?? this.address} consul.service.consul\n`);
      case 'ip':
        return ok(
          `1: lo    inet 127.0.0.1/8 scope host lo\n9: eth1    inet ${this.address}/24 brd x scope global eth1\n`,
        );
      case 'useradd':
        this.log.push(display);
        this.users.add(args.at(-1)!);
        return ok();
      case 'install':
        this.log.push(display);
        this.dirs.set(args.at(-1)!, `${args[2]} ${args[4]}`);
        return ok();
      case 'docker': {
        this.log.push(display);
        const tag = args[0] === 'load' ? this.tarballTags.get(args[2]!) : undefined;
        if (tag) this.images.add(tag);
        return ok();
      }
      default:
        throw new Error(`the fake node does not know: ${display}`);
    }
  }

  private script(text: string, args: string[], stdin: string | undefined, display: string): ExecResult {
    if (text.startsWith('systemctl "$1" "$2"')) return this.answer(['systemctl', ...args], stdin, display);
    if (text.startsWith('n=$1; cachedir=$2; shift 2')) {
      const [count, , ...paths] = args;
      return ok(
        paths
          .map((p, i) => {
            const f = this.files.get(p);
            if (!f) return '-\n';
            const stat = `${f.mode.toString(8)} ${f.owner} ${f.group} ${sha(f.content)}\n`;
            return i < Number(count) ? `${stat}${f.content.toString('base64')}\n` : stat;
          })
          .join(''),
      );
    }
    if (text.startsWith('for p in "$@"; do stat')) return ok(args.map((p) => `${this.dirs.get(p) ?? '-'}\n`).join(''));
    if (text.startsWith('for p; do r=$(realpath'))
      return ok(args.map((p) => (this.dirs.has(p) ? `dir ${this.dirs.get(p)}\n` : 'missing\n')).join(''));
    if (text.startsWith('[ -e "$1" ] || exit 3')) {
      const f = this.files.get(args[0]!);
      return f ? ok(f.content.toString()) : { exitCode: 3, stdout: '', stderr: '' };
    }
    // Debian 12's docker.io and Docker's docker-ce bring the docker command (Debian 13's without it: the fixtures).
    if (text.startsWith('for f in /usr/sbin/dockerd')) {
      const engine = this.packages.has('docker.io') || this.packages.has('docker-ce');
      const cli = this.packages.has('docker-cli') || this.packages.has('docker-ce') || this.packages.has('docker.io');
      return ok(`${engine ? '/usr/sbin/dockerd\n' : ''}${cli ? '/usr/bin/docker\n' : ''}`);
    }
    if (text.startsWith('for t in "$@"; do docker image inspect'))
      return ok(
        args
          .filter((t) => this.images.has(t))
          .map((t) => `${t}\n`)
          .join(''),
      );
    this.log.push(display);
    if (display.startsWith('apt-get install')) for (const name of args) this.packages.add(name);
    else if (display === 'write /etc/resolv.conf')
      this.files.set('/etc/resolv.conf', {
        content: Buffer.from(stdin ?? ''),
        mode: 0o644,
        owner: 'root',
        group: 'root',
      });
    else throw new Error(`the fake node does not know the script: ${display}`);
    return ok();
  }
}

/** A cluster of fake nodes that know each other (for Consul's members and Nomad's nodes). */
export function fakeCluster(nodes: { name: string; address: string }[]): Map<string, FakeNode> {
  const all: FakeNode[] = [];
  for (const n of nodes) all.push(new FakeNode(n.name, n.address, all));
  return new Map(all.map((n) => [n.node, n]));
}
