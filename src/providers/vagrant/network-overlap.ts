import ipaddr from 'ipaddr.js';
import { vagrantNetworkName } from '../../config/names.ts';
import { ProviderError } from '../../errors.ts';
import { probe } from '../../host/run.ts';

// A lab network that overlaps one this host already routes (a Docker network, the host's own LAN or VPN) makes
// Docker refuse the lab's network, or worse, makes the host send the lab's traffic the wrong way.

/** A network this host has: a Docker network by name, or an interface's subnet. */
export interface HostNetwork {
  what: string;
  cidr: string;
}

/** Docker networks' subnets, from `docker network inspect -f '{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}'`. */
export function parseDockerNetworks(output: string): HostNetwork[] {
  return output.split('\n').flatMap((line) => {
    const [name, ...subnets] = line.trim().split(/\s+/);
    return name ? subnets.filter((s) => s.includes('.')).map((cidr) => ({ what: `Docker network ${name}`, cidr })) : [];
  });
}

/**
 * Interfaces' IPv4 subnets from `ip -4 -o addr show`, but Docker's bridges (their networks are listed by Docker) and
 * loopback.
 */
export function parseInterfaces(output: string): HostNetwork[] {
  return output.split('\n').flatMap((line) => {
    const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+\/\d+)/.exec(line);
    if (!match) return [];
    const name = match[1]!.split('@')[0]!;
    if (name === 'lo' || name === 'docker0' || name.startsWith('br-')) return [];
    const [address, prefix] = ipaddr.IPv4.parseCIDR(match[2]!);
    return [
      {
        what: `interface ${name} (${address.toString()}/${prefix})`,
        cidr: `${ipaddr.IPv4.networkAddressFromCIDR(match[2]!).toString()}/${prefix}`,
      },
    ];
  });
}

/** Whether two IPv4 networks share an address: one holds the other's network address. */
function overlap(a: string, b: string): boolean {
  const [na, pa] = ipaddr.IPv4.parseCIDR(a);
  const [nb, pb] = ipaddr.IPv4.parseCIDR(b);
  return na.match(nb, pb) || nb.match(na, pa);
}

/** The host's networks that the lab network `cidr` overlaps, its own Docker network (a lab up before) aside. */
export function overlapping(cidr: string, networks: readonly HostNetwork[]): HostNetwork[] {
  const own = `Docker network ${vagrantNetworkName(cidr)}`;
  return networks.filter((n) => n.what !== own && overlap(cidr, n.cidr));
}

async function dockerNetworks(): Promise<HostNetwork[]> {
  const ids = await probe('docker', ['network', 'ls', '-q']);
  if (!ids.ok || !ids.stdout.trim()) return [];
  return parseDockerNetworks(
    (
      await probe('docker', [
        'network',
        'inspect',
        '-f',
        '{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}',
        ...ids.stdout.trim().split('\n'),
      ])
    ).stdout,
  );
}

/** Refuses a lab network that overlaps a network of this host, naming it; before Vagrant makes anything. */
export async function refuseOverlappingNetwork(cidr: string): Promise<void> {
  const [docker, interfaces] = await Promise.all([dockerNetworks(), probe('ip', ['-4', '-o', 'addr', 'show'])]);
  const found = overlapping(cidr, [...docker, ...parseInterfaces(interfaces.stdout)]);
  if (found.length === 0) return;
  throw new ProviderError(
    `network.cidr ${cidr} overlaps ${found.map((n) => `${n.what}, ${n.cidr}`).join('; ')}: give the lab a ` +
      `private network this host does not use yet (change network.cidr and the node addresses in the cluster file)`,
  );
}
