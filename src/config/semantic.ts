import { isUrl } from '../artifacts/plugin-build.ts';
import ipaddr from 'ipaddr.js';
import { LIMITS } from './limits.ts';
import { allowedFolderProblem, localPathProblem, realFolder } from './local-files.ts';
import { labNetworkProblem } from './networks.ts';
import { resolveFrom } from './paths.ts';
import type { ClusterSpec } from './schema.ts';
import type { KeyPath } from './yaml-source.ts';
import type { Severity } from '../errors.ts';
import { clients, runsTasks, servers } from './topology.ts';
import { enabledDrivers } from './drivers.ts';
import { readConsulDnsName } from './consul-dns.ts';
import { quote } from '../text.ts';

export interface Finding {
  severity: Severity;
  path: KeyPath;
  message: string;
}

/** Checks that span several values: uniqueness, addressing, roles, references to files. */
export function checkCluster(spec: ClusterSpec, baseDir: string): Finding[] {
  const findings: Finding[] = [];
  const error = (path: KeyPath, message: string) => findings.push({ severity: 'error', path, message });
  const warning = (path: KeyPath, message: string) => findings.push({ severity: 'warning', path, message });

  const network = ipaddr.IPv4.parseCIDR(spec.network.cidr);
  const [base, prefix] = network;
  const networkAddress = ipaddr.IPv4.networkAddressFromCIDR(spec.network.cidr).toString();
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(spec.network.cidr).toString();
  const gateway = new ipaddr.IPv4(
    ipaddr.IPv4.networkAddressFromCIDR(spec.network.cidr)
      .toByteArray()
      .map((b, i) => (i === 3 ? b + 1 : b)),
  ).toString();
  if (base.toString() !== networkAddress) {
    error(['network', 'cidr'], `${spec.network.cidr} has host bits set: write ${networkAddress}/${prefix}`);
  } else {
    const problem = labNetworkProblem(
      spec.network.cidr,
      spec.provider.type === 'vagrant' ? spec.provider.backend : undefined,
    );
    if (problem) error(['network', 'cidr'], problem);
  }

  duplicates(
    spec.nodes.map((n) => n.name),
    (i, first) =>
      error(['nodes', i, 'name'], `duplicate node name "${spec.nodes[i]!.name}" (first used by nodes[${first}])`),
  );
  duplicates(
    spec.nodes.map((n) => n.address),
    (i, first) =>
      error(
        ['nodes', i, 'address'],
        `duplicate address ${spec.nodes[i]!.address} (first used by nodes[${first}] "${spec.nodes[first]!.name}")`,
      ),
  );

  spec.nodes.forEach((node, i) => {
    const address = ipaddr.IPv4.parse(node.address);
    if (!address.match(network)) {
      error(
        ['nodes', i, 'address'],
        `${node.address} is outside the lab network ${spec.network.cidr}: pick an address inside it`,
      );
    } else if (node.address === networkAddress || node.address === broadcast) {
      const which = node.address === broadcast ? 'broadcast' : 'network';
      error(
        ['nodes', i, 'address'],
        `${node.address} is the ${which} address of ${spec.network.cidr}: pick a host address`,
      );
    } else if (node.address === gateway) {
      error(
        ['nodes', i, 'address'],
        `${node.address} is the lab network's gateway (the host's side of the bridge): start node addresses after it`,
      );
    }
    if (node.role === 'server' && node.host_volumes.length > 0) {
      error(
        ['nodes', i, 'host_volumes'],
        `node "${node.name}" is a server only, and host volumes serve tasks: make its role "both" or move the ` +
          `volumes to a client`,
      );
    }
    if (node.role === 'server' && node.drivers !== undefined) {
      error(
        ['nodes', i, 'drivers'],
        `node "${node.name}" is a server only, and task drivers run tasks: make its role "both" or remove its drivers`,
      );
    }
    if (runsTasks(node) && enabledDrivers(spec, node).length === 0) {
      error(
        [...(node.drivers ? ['nodes', i, 'drivers'] : ['drivers'])],
        `node "${node.name}" enables no task driver, so it can run no task: enable docker, raw_exec or another driver`,
      );
    }
    duplicates(
      node.host_volumes.map((v) => v.name),
      (j) =>
        error(
          ['nodes', i, 'host_volumes', j, 'name'],
          `duplicate host volume name "${node.host_volumes[j]!.name}" on node "${node.name}"`,
        ),
    );
    if (node.ssh && spec.provider.type !== 'ssh') {
      error(
        ['nodes', i, 'ssh'],
        `"ssh" applies to existing hosts (provider type "ssh"); Vagrant reports how to reach its machines: remove it`,
      );
    }
    const key = node.ssh?.key;
    if (key !== undefined) checkKey(['nodes', i, 'ssh', 'key'], key);
  });

  const serverCount = servers(spec).length;
  const clientCount = clients(spec).length;
  if (serverCount === 0) {
    error(['nodes'], 'no node is a server: give at least one node role "server" or "both"');
  } else if (serverCount % 2 === 0) {
    warning(
      ['nodes'],
      `${serverCount} servers tolerate no more failures ` +
        `than ${serverCount - 1}: an odd count (1, 3, 5) is the ` +
        `usual choice`,
    );
  }
  if (clientCount === 0 && spec.jobs.length > 0) {
    error(['jobs'], 'jobs are listed but no node runs them: give a node role "client" or "both"');
  }

  checkMode(spec, error);

  if (spec.provider.type === 'ssh' && spec.provider.key !== undefined) checkKey(['provider', 'key'], spec.provider.key);
  if (spec.artifacts.source === 'directory' && spec.artifacts.directory === undefined) {
    error(['artifacts'], 'source "directory" needs "directory": the folder that holds the consul and nomad binaries');
  }
  if (spec.artifacts.directory !== undefined) {
    check(['artifacts', 'directory'], {
      full: resolveFrom(baseDir, spec.artifacts.directory),
      what: 'directory',
      kind: 'folder',
    });
  }

  const archive = spec.artifacts.podman.archive;
  if (archive !== undefined && !isUrl(archive)) {
    check(['artifacts', 'podman', 'archive'], {
      full: resolveFrom(baseDir, archive),
      what: 'source archive',
      kind: 'file',
    });
  }

  // Files sent to the nodes come from the cluster file's folder, or from a folder listed under files.allow_from.
  const roots = [{ path: realFolder(baseDir), named: `the cluster file's folder ${baseDir}` }];
  spec.files.allow_from.forEach((folder, i) => {
    const full = resolveFrom(baseDir, folder);
    const problem = allowedFolderProblem(full);
    if (problem) error(['files', 'allow_from', i], problem);
    else roots.push({ path: realFolder(full), named: full });
  });
  const sent = (path: KeyPath, file: string, what: string, maxBytes?: number) =>
    check(path, {
      full: resolveFrom(baseDir, file),
      what,
      kind: 'file',
      roots,
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });

  duplicates(
    spec.jobs.map((j) => j.name),
    (i, first) =>
      error(['jobs', i, 'name'], `duplicate job name "${spec.jobs[i]!.name}" (first used by jobs[${first}])`),
  );
  spec.jobs.forEach((job, i) => {
    sent(['jobs', i, 'file'], job.file, 'job file', LIMITS.jobFileBytes);
    job.images.forEach((image, j) => {
      if (image.tarball !== undefined) sent(['jobs', i, 'images', j, 'tarball'], image.tarball, 'image tarball');
    });
  });

  if (spec.registry !== undefined && !spec.nodes.some((n) => n.name === spec.registry!.node)) {
    error(
      ['registry', 'node'],
      `no node named "${spec.registry.node}" (one of ${spec.nodes.map((n) => `"${n.name}"`).join(', ')})`,
    );
  }

  const jobNames = spec.jobs.map((j) => j.name);
  duplicates(
    spec.services.map((s) => s.name),
    (i, first) =>
      error(
        ['services', i, 'name'],
        `duplicate service "${spec.services[i]!.name}" (first listed at services[${first}])`,
      ),
  );
  spec.services.forEach((service, i) => {
    if (service.job !== undefined && !jobNames.includes(service.job)) {
      const known =
        jobNames.length > 0 ? `one of ${jobNames.map((n) => `"${n}"`).join(', ')}` : 'none are listed under "jobs"';
      error(['services', i, 'job'], `no job named "${service.job}" (${known})`);
    }
  });

  duplicates(
    spec.dns.map((l) => `${l.name} ${l.type}`),
    (i, first) =>
      error(['dns', i], `duplicate lookup ${spec.dns[i]!.type} ${quote(spec.dns[i]!.name)} (first at dns[${first}])`),
  );
  spec.dns.forEach((lookup, i) => {
    const datacenter = readConsulDnsName(lookup.name)?.datacenter;
    if (datacenter !== undefined && datacenter !== spec.datacenter) {
      const lab = spec.datacenter;
      const message = `${quote(lookup.name)} asks datacenter ${datacenter}, the lab's is ${lab}: write ${lab} or none`;
      error(['dns', i, 'name'], message);
    }
  });

  return findings;

  function check(path: KeyPath, local: Parameters<typeof localPathProblem>[0]): void {
    const problem = localPathProblem(local);
    if (problem) error(path, problem);
  }

  /** An SSH key is read here and never sent: anywhere (~/.ssh is the usual place), but a regular file of a few KiB. */
  function checkKey(path: KeyPath, key: string): void {
    check(path, { full: resolveFrom(baseDir, key), what: 'SSH key', kind: 'file', maxBytes: LIMITS.keyFileBytes });
  }
}

/** What each mode other than `standard` runs on, and the settings it does not take. */
const MODE_RUNS: Record<Exclude<ClusterSpec['mode'], 'standard'>, string> = {
  dev: 'runs `consul agent -dev` and `nomad agent -dev` (a server and a client in one process) on one node',
  container: 'runs Nomad as one container on one node, a server and a client, beside its Consul',
};

/** `dev` and `container`: one node of role `both`, and no `security` (neither mode takes the lab's ACLs or TLS). */
function checkMode(spec: ClusterSpec, error: (path: KeyPath, message: string) => void): void {
  if (spec.mode === 'standard') return;
  const mode = `mode "${spec.mode}"`;
  const [only] = spec.nodes;
  if (spec.nodes.length !== 1) {
    error(
      ['nodes'],
      `${mode} ${MODE_RUNS[spec.mode]}: give exactly one node, of role "both" (${spec.nodes.length} given)`,
    );
  } else if (only?.role !== 'both') {
    error(['nodes', 0, 'role'], `${mode} ${MODE_RUNS[spec.mode]}: make node "${only?.name}" role "both"`);
  }
  const on = (['acl', 'tls'] as const).filter((s) => spec.security[s]);
  if (on.length > 0) {
    const why =
      spec.mode === 'dev'
        ? 'dev agents take their settings from flags, and nomad-lab gives them no ACLs or TLS'
        : 'not supported yet: the containerised agent is tested without ACLs and TLS';
    const settings = `security ${on.join(' and ')}`;
    error(
      ['security'],
      `${mode} does not take ${settings} (${why}): turn ${on.length > 1 ? 'them' : 'it'} off, or use mode "standard"`,
    );
  }
}

function duplicates(values: readonly string[], report: (index: number, first: number) => void): void {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else report(i, first);
  });
}
