import ipaddr from 'ipaddr.js';

// A lab network is routed on this host and on every node: one that means something else already
// (an address range with a fixed meaning, or a network Docker, Nomad or Vagrant makes) breaks the lab or the host.

interface Taken {
  cidr: string;
  /** What it is, for "lies in ..." and "overlaps ...". */
  name: string;
  /** Only for this Vagrant backend. */
  backend?: string;
}

/** Ranges with a fixed meaning (RFC 6890), then networks that Docker, Nomad and vagrant-libvirt make by default. */
const TAKEN: readonly Taken[] = [
  { cidr: '0.0.0.0/8', name: '"this network" (0.0.0.0/8), which is never a destination' },
  { cidr: '127.0.0.0/8', name: "loopback (127.0.0.0/8), each host's own addresses" },
  {
    cidr: '169.254.0.0/16',
    name: 'link-local (169.254.0.0/16), where hosts without DHCP and cloud metadata services live',
  },
  { cidr: '224.0.0.0/4', name: 'multicast (224.0.0.0/4)' },
  { cidr: '240.0.0.0/4', name: 'the reserved class E (240.0.0.0/4, with the broadcast address)' },
  { cidr: '172.17.0.0/16', name: "Docker's default bridge (172.17.0.0/16, docker0 on this host and on every client)" },
  {
    cidr: '172.26.64.0/20',
    name: "Nomad's default bridge network (172.26.64.0/20, bridge_network_subnet on every client)",
  },
  { cidr: '192.168.121.0/24', name: "vagrant-libvirt's management network (192.168.121.0/24)", backend: 'libvirt' },
];

const FIX = 'pick a private network that is free, like 10.77.0.0/24';

/** Why the lab network `cidr` (valid, canonical) cannot be used, or undefined when it can. */
export function labNetworkProblem(cidr: string, backend?: string): string | undefined {
  const prefix = ipaddr.IPv4.parseCIDR(cidr)[1];
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr);
  // Masks have their own check: 255.255.255.0/24 is a mask where the network belongs.
  const maskLength = network.prefixLengthFromSubnetMask();
  if (maskLength !== null && maskLength > 0) {
    return (
      `${cidr} is written like a netmask (${network.toString()} is /${maskLength}), not a network: write ` +
      `the network's own address, like 10.77.0.0/24`
    );
  }
  for (const taken of TAKEN) {
    if (taken.backend !== undefined && taken.backend !== backend) continue;
    const [other, otherPrefix] = ipaddr.IPv4.parseCIDR(taken.cidr);
    if (prefix >= otherPrefix && network.match(other, otherPrefix)) return `${cidr} lies in ${taken.name}: ${FIX}`;
    if (other.match(network, prefix)) return `${cidr} overlaps ${taken.name}: ${FIX}`;
  }
  return undefined;
}
