import { PassThrough } from 'node:stream';
import { existingHosts } from '../config/machines.ts';
import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import { isServer } from '../config/topology.ts';
import { NomadLabError } from '../errors.ts';
import { remoteOf, type Base, type Products } from '../pipeline/state.ts';
import { defineStep } from '../pipeline/step.ts';
import { script } from '../remote/quote.ts';
import type { Remote } from '../remote/remote.ts';

export type Proto = 'tcp' | 'udp';

/** One port a node must reach on another over the lab network, and what uses it. */
export interface PortPath {
  from: string;
  to: string;
  to_address: string;
  proto: Proto;
  port: number;
  use: string;
}

interface PortNeed {
  proto: Proto;
  port: number;
  use: string;
  /** Which pairs need it: towards servers from any node, between servers only, or between any two nodes. */
  between: 'to-servers' | 'servers' | 'all';
}

/**
 * What the agents need of each other (HashiCorp's port tables). HTTP (4646, 8500) and DNS (8600) are asked on
 * each node itself, or from this host by `verify`, never by one node of another, so no pair needs them.
 */
const NEEDS: readonly PortNeed[] = [
  { proto: 'tcp', port: 8300, use: 'Consul server RPC', between: 'to-servers' },
  { proto: 'tcp', port: 8301, use: 'Consul LAN gossip', between: 'all' },
  { proto: 'udp', port: 8301, use: 'Consul LAN gossip', between: 'all' },
  { proto: 'tcp', port: 8302, use: 'Consul WAN gossip', between: 'servers' },
  { proto: 'tcp', port: 4647, use: 'Nomad RPC', between: 'to-servers' },
  { proto: 'tcp', port: 4648, use: 'Nomad server gossip', between: 'servers' },
  { proto: 'udp', port: 4648, use: 'Nomad server gossip', between: 'servers' },
];

/** Every (from, to, port) the lab needs open between its nodes, in file order. */
export function portPaths(spec: Pick<ClusterSpec, 'nodes'>): PortPath[] {
  const paths: PortPath[] = [];
  for (const to of spec.nodes) {
    for (const from of spec.nodes) {
      if (from === to) continue;
      for (const need of NEEDS) {
        const needed = need.between === 'all' || (isServer(to) && (need.between === 'to-servers' || isServer(from)));
        if (needed)
          paths.push({
            from: from.name,
            to: to.name,
            to_address: to.address,
            proto: need.proto,
            port: need.port,
            use: need.use,
          });
      }
    }
  }
  return paths;
}

// On the node that is reached: listen on each port of the lab address that is free (an agent may hold it
// already), say which, then accept TCP and echo UDP until stdin closes or a minute has passed.
const LISTEN =
  `exec perl -e '
use strict; use IO::Socket::INET; use IO::Select; $| = 1;
my ($addr, @specs) = @ARGV; my %proto; my $sel = IO::Select->new(\\*STDIN);
for my $spec (@specs) {
  my ($proto, $port) = split m{/}, $spec;
  my $s = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port, Proto => $proto, ReuseAddr => 1, ` +
  `($proto eq "tcp" ? (Listen => 64) : ()));
  if ($s) { $proto{fileno $s} = $proto; $sel->add($s); print "listening $spec\\n" } else { print "in use $spec\\n" }
}
print "ready\\n";
my $until = time + 60;
while (time < $until) {
  for my $fh ($sel->can_read(1)) {
    if ($fh == \\*STDIN) { exit 0 unless sysread(STDIN, my $b, 64) }
    elsif ($proto{fileno $fh} eq "tcp") { my $c = $fh->accept; close $c if $c }
    else { my $from = $fh->recv(my $d, 64); $fh->send($d, 0, $from) if defined $from }
  }
}' "$@"`;

// On the node that reaches out: every probe at once (a dropped packet costs its whole timeout), a line each.
const PROBE =
  `exec perl -e '
use strict; use IO::Socket::INET; use IO::Select; $| = 1;
my @kids;
for my $spec (@ARGV) {
  my $pid = fork; die "fork: $!" unless defined $pid;
  if ($pid) { push @kids, $pid; next }
  my ($host, $proto, $port) = split m{[:/]}, $spec; my ($ok, $why, $d) = (0, "", "");
  my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => $proto, Timeout => 3);
  if ($s && $proto eq "tcp") { $ok = 1 }
  elsif ($s) { $s->send("nomad-lab"); $ok = IO::Select->new($s)->can_read(3) && defined $s->recv($d, 64) && $d ` +
  `eq "nomad-lab" }
  $why = $ok ? "" : ($! ? " $!" : " no answer");
  print(($ok ? "open" : "blocked") . " $spec$why\\n"); exit 0;
}
waitpid $_, 0 for @kids;' "$@"`;

/** The result lines of the probe: `blocked 10.0.0.1:tcp/8300 Connection timed out` → the failed spec and why. */
export function parseProbe(stdout: string): Map<string, string | undefined> {
  const results = new Map<string, string | undefined>();
  for (const line of stdout.split('\n')) {
    const match = /^(open|blocked) (\S+)(?: (.*))?$/.exec(line);
    if (match) results.set(match[2]!, match[1] === 'open' ? undefined : (match[3] ?? 'no answer'));
  }
  return results;
}

const specOf = (path: Pick<PortPath, 'to_address' | 'proto' | 'port'>) =>
  `${path.to_address}:${path.proto}/${path.port}`;

interface Listener {
  /** The ports (`udp/8301`) something on the node holds already: an agent of an earlier `up`, most likely. */
  inUse: Set<string>;
  stop(): Promise<void>;
}

/** Listens on `node`'s lab address until stopped; resolves once the listener is ready. */
async function listenOn(remote: Remote, node: NodeSpec, ports: readonly string[]): Promise<Listener> {
  const stdin = new PassThrough();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  let out = '';
  const done = remote.exec(script(LISTEN, [node.address, ...ports], `listen on ${node.address} for the port check`), {
    stdin,
    onStdout: (chunk) => {
      out += chunk;
      if (out.includes('ready\n')) ready();
    },
  });
  const ended = done.then((result) => {
    if (!out.includes('ready\n'))
      throw new NomadLabError(
        `[${node.name}] cannot listen on ${node.address} for the port check ` +
          `(exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
  });
  await Promise.race([isReady, ended]);
  const inUse = new Set([...out.matchAll(/^in use (\S+)$/gm)].map((m) => m[1]!));
  return {
    inUse,
    stop: async () => {
      stdin.end();
      await done;
    },
  };
}

/**
 * Existing hosts may have a firewall between them: before any change, every port the agents need between two
 * nodes is tried from one to the other, and a blocked one is refused naming the pair and the port. A port an
 * agent holds already is tried against that agent.
 */
export const checkPorts = defineStep({
  name: 'check the ports between nodes',
  needs: ['remotes'],
  makes: [],
  async run(state: Base & Pick<Products, 'remotes'>, say) {
    const { spec } = state.cluster;
    if (!existingHosts(spec)) return { skipped: 'machines nomad-lab boots have no firewall between them' };
    if (spec.nodes.length < 2) return { skipped: 'one node: no ports between nodes' };
    const paths = portPaths(spec);
    const byTarget = new Map<string, string[]>();
    for (const p of paths) byTarget.set(p.to, [...new Set([...(byTarget.get(p.to) ?? []), `${p.proto}/${p.port}`])]);
    const listeners = new Map<string, Listener>();
    const blocked: string[] = [];
    try {
      await Promise.all(
        spec.nodes
          .filter((n) => byTarget.has(n.name))
          .map(async (n) => listeners.set(n.name, await listenOn(remoteOf(state, n), n, byTarget.get(n.name)!))),
      );
      // An agent answers TCP, but not a datagram of ours: a UDP port it holds is left to the agent's own health.
      const tried = paths.filter((p) => p.proto === 'tcp' || !listeners.get(p.to)?.inUse.has(`${p.proto}/${p.port}`));
      say(`trying ${tried.length} node-to-node ports`);
      await Promise.all(
        spec.nodes.map(async (from) => {
          const mine = tried.filter((p) => p.from === from.name);
          if (mine.length === 0) return;
          const result = await remoteOf(state, from).run(
            script(PROBE, [...new Set(mine.map(specOf))], 'try the ports of the other nodes'),
          );
          const answers = parseProbe(result.stdout);
          for (const p of mine) {
            const why = answers.has(specOf(p)) ? answers.get(specOf(p)) : 'not tried';
            if (why !== undefined)
              blocked.push(`${p.from} -> ${p.to} (${p.to_address}) ${p.proto}/${p.port} (${p.use}): ${why}`);
          }
        }),
      );
    } finally {
      await Promise.allSettled([...listeners.values()].map((l) => l.stop()));
    }
    if (blocked.length > 0) {
      throw new NomadLabError(
        `${blocked.length} of the ports the agents need between ` +
          `nodes ${blocked.length === 1 ? 'is' : 'are'} blocked, so nothing ` +
          `was changed:\n${blocked.map((b) => `  ${b}`).join('\n')}\nopen them between ` +
          `the lab addresses (nftables, iptables, ufw or a cloud security group)`,
      );
    }
    return { summary: `${paths.length} ports open between ${spec.nodes.length} nodes` };
  },
});
