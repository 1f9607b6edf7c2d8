import * as z from 'zod';
import ipaddr from 'ipaddr.js';
import { hasControlCharacter, quote } from '../text.ts';
import { DEFAULTS } from './defaults.ts';
import { LIMITS } from './limits.ts';
import { systemPathProblem } from './system-paths.ts';

// Every string that can reach a remote shell or a rendered config is held to a
// pattern here, so no value from cluster.yaml can carry a shell metacharacter.

const label = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be usable as a hostname: lowercase letters, digits and "-", 1 to 63 characters, starting and ending with a letter or digit',
  );

const volumeName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, "_" and "-", starting with a letter or digit');

const version = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.22.7 (three numbers, no "v")');

/** A custom issue whose message already names the value: described as it is, with no ", got ...". */
function complete(ctx: z.core.$RefinementCtx, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { complete: true } });
}

const PATH_CHARACTERS = /^\/[A-Za-z0-9._/-]*$/;

/** An absolute path on a node. */
const nodePath = z
  .string()
  .max(LIMITS.pathChars)
  .regex(PATH_CHARACTERS, 'must be an absolute path of letters, digits, ".", "_", "-" and "/" (no spaces or shell characters)')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

const hostVolumePath = nodePath
  .superRefine((path, ctx) => {
    const problem = PATH_CHARACTERS.test(path) ? systemPathProblem(path) : undefined;
    if (problem) complete(ctx, `${quote(path)} ${problem}`);
  });

const httpPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path starting with "/" (letters, digits, ".", "_", "~", "-", "/")');

const localFile = z
  .string()
  .min(1, 'must be a file path')
  .max(LIMITS.pathChars)
  .refine((p) => !hasControlCharacter(p), 'must not hold control characters (escape sequences, newlines, tabs)');

// Four decimal numbers without leading zeros: the only form zod's ipv4 takes, and the one Docker and Consul print.
const ipv4 = z.ipv4({ error: 'must be an IPv4 address like 10.77.0.10 (four decimal numbers, no leading zeros)' });

/** A name that resolvers read as an IPv4 address in another form (`010.0.0.1` is 8.0.0.1, `0xa.1` is 10.0.0.1). */
function isLooseIpv4(value: string): boolean {
  return ipaddr.IPv4.isIPv4(value) && !ipaddr.IPv4.isValidFourPartDecimal(value);
}

function canonicalHint(value: string, canonical: string): string {
  return `${quote(value)} is read as ${canonical}: write ${canonical} (four decimal numbers, no leading zeros)`;
}

// For the generated JSON Schema (editors), which cannot run the checks in code.
const IPV4_PATTERN = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}';

const hostOrAddress = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/,
    'must be a hostname or IPv4 address (letters, digits, "." and "-")',
  )
  .superRefine((host, ctx) => {
    if (isLooseIpv4(host)) complete(ctx, canonicalHint(host, ipaddr.IPv4.parse(host).toString()));
  });

const unixUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name (lowercase letters, digits, "_", "-")');

const port = z.int().min(1).max(65535);

const cidr = z.string().superRefine((value, ctx) => {
  const [address, prefix] = ipaddr.isValidCIDR(value) ? ipaddr.parseCIDR(value) : [];
  if (address?.kind() !== 'ipv4' || prefix === undefined || prefix < 8 || prefix > 29) {
    ctx.addIssue({ code: 'custom', message: 'must be an IPv4 network in CIDR form with a prefix from /8 to /29, like 10.77.0.0/24' });
    return;
  }
  // Docker prints the canonical form, and `down` finds the lab's network by it.
  const [writtenAddress = '', writtenPrefix = ''] = value.split('/');
  if (!ipaddr.IPv4.isValidFourPartDecimal(writtenAddress) || writtenPrefix !== String(prefix)) {
    complete(ctx, canonicalHint(value, `${address.toString()}/${prefix}`));
  }
})
  // For the generated JSON Schema (editors), which cannot run the check above; host bits stay the loader's.
  .meta({ pattern: `^${IPV4_PATTERN}/([89]|1[0-9]|2[0-9])$` });

const sshOptions = {
  port: port.optional(),
  user: unixUser.optional(),
  key: localFile.optional(),
};

const vagrantProvider = z.strictObject({
  type: z.literal('vagrant'),
  backend: z.enum(['docker', 'virtualbox', 'libvirt']).default(DEFAULTS.provider.backend),
  /** Node image for the docker backend, built by `nomad-lab image build`. */
  image: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*$/, 'must be a Docker image name without a tag, like nomadlab/node')
    .default(DEFAULTS.provider.image),
  /**
   * Docker backend: the node image carries the Debian packages `up` installs (dnsmasq, and Docker for
   * clients), installed once when the image is built; false: a bare image, every node installs them
   * with apt over SSH, as VMs and existing hosts do.
   */
  preload: z.boolean().default(DEFAULTS.provider.preload),
  /** Box for the virtualbox and libvirt backends. */
  box: z
    .string()
    .regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/, 'must be a Vagrant box name like debian/bookworm64')
    .default(DEFAULTS.provider.box),
});

const sshProvider = z.strictObject({
  type: z.literal('ssh'),
  /** Defaults for every node; a node's own `ssh` overrides them. */
  port: port.default(DEFAULTS.ssh.port),
  user: unixUser.default(DEFAULTS.ssh.user),
  key: localFile.optional(),
});

const hostVolume = z.strictObject({
  name: volumeName,
  path: hostVolumePath,
  read_only: z.boolean().default(false),
});

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration like 30s, 3m or 1h');

const capability = z
  .string()
  .regex(/^([a-z_]+|all)$/, 'must be a Linux capability in lowercase without "cap_", like net_raw or sys_time (or "all")');

/** Nomad's docker driver and the plugin options workshops set on clients (plugin "docker" in client.hcl). */
const dockerDriver = z.strictObject({
  enabled: z.boolean().default(DEFAULTS.drivers.docker.enabled),
  allow_privileged: z.boolean().default(DEFAULTS.drivers.docker.allow_privileged),
  /** Bind mounts from the host into containers (docker `volumes`), and Nomad's host volumes. */
  volumes: z.boolean().default(DEFAULTS.drivers.docker.volumes),
  /** Capabilities a task may add (Nomad's default list when unset). */
  allow_caps: z.array(capability).optional(),
  gc: z
    .strictObject({
      image: z.boolean().default(DEFAULTS.drivers.docker.gc.image),
      image_delay: duration.default(DEFAULTS.drivers.docker.gc.image_delay),
      container: z.boolean().default(DEFAULTS.drivers.docker.gc.container),
    })
    .prefault({}),
  pull_activity_timeout: duration.default(DEFAULTS.drivers.docker.pull_activity_timeout),
  /** Registry credentials: a Docker config.json on the node, or a credential helper; never the secret itself. */
  auth: z
    .strictObject({
      config: nodePath.optional(),
      helper: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a credential helper name like ecr-login (the part after docker-credential-)').optional(),
    })
    .optional(),
});

/** A driver with no options of nomad-lab's: raw_exec (plain binaries on the client). */
const switchDriver = (enabled: boolean) => z.strictObject({ enabled: z.boolean().default(enabled) });

/** Which task drivers a client enables, and their plugin options. */
const drivers = z.strictObject({
  docker: dockerDriver.prefault({}),
  raw_exec: switchDriver(DEFAULTS.drivers.raw_exec.enabled).prefault({}),
});

/** A node's own drivers: each one given replaces the lab-wide `drivers` entry of that name. */
const nodeDrivers = z.strictObject({
  docker: dockerDriver.optional(),
  raw_exec: switchDriver(DEFAULTS.drivers.raw_exec.enabled).optional(),
});

const node = z.strictObject({
  name: label,
  role: z.enum(['server', 'client', 'both']),
  /** The node's address on the lab's private network: Consul and Nomad bind and advertise here. */
  address: ipv4,
  cpus: z.int().min(1).max(64).default(DEFAULTS.node.cpus),
  /** MiB. */
  memory: z.int().min(256).max(1048576).default(DEFAULTS.node.memory),
  host_volumes: z.array(hostVolume).default([]),
  /** Task drivers of this client; each replaces the lab-wide `drivers` entry of its name. */
  drivers: nodeDrivers.optional(),
  /** How to reach an existing host (provider type ssh); `host` defaults to `address`. */
  ssh: z.strictObject({ host: hostOrAddress.optional(), ...sshOptions }).optional(),
});

const image = z
  .strictObject({
    /** A job image nomad-lab builds offline (`nomad-lab image build`). */
    recipe: z.enum(['whoami', 'toolbox', 'mariadb']).optional(),
    /** A `docker save` tarball, relative to the cluster file. */
    tarball: localFile.optional(),
  })
  .refine((i) => (i.recipe === undefined) !== (i.tarball === undefined), 'give exactly one of "recipe" or "tarball"')
  .meta({ oneOf: [{ required: ['recipe'] }, { required: ['tarball'] }] });

const job = z.strictObject({
  name: label,
  /** A Nomad job file, relative to the cluster file. */
  file: localFile,
  /** Images loaded into every client's Docker before the job runs (for labs without a registry). */
  images: z.array(image).default([]),
});

const service = z.strictObject({
  /** The Consul service name; verified as `NAME.service.consul` SRV records. */
  name: label,
  /** Healthy instances expected. */
  count: z.int().min(0).default(DEFAULTS.service.count),
  /** How each instance's port is proven to answer. */
  check: z.enum(['tcp', 'http', 'none']).default(DEFAULTS.service.check),
  path: httpPath.default(DEFAULTS.service.path),
  /** The job that registers it. */
  job: label.optional(),
});

export const clusterSchema = z.strictObject({
  version: z.literal(1),
  name: label.default(DEFAULTS.name),
  datacenter: label.default(DEFAULTS.datacenter),
  region: label.default(DEFAULTS.region),
  network: z.strictObject({
    /** The lab's private network; every node address lies inside it. */
    cidr,
  }),
  versions: z
    .strictObject({
      consul: version.default(DEFAULTS.versions.consul),
      nomad: version.default(DEFAULTS.versions.nomad),
      /** The Docker engine's upstream version; unset: whichever the host's Debian release ships (Debian 12: 20.10.24). */
      docker: version.optional(),
    })
    .prefault({}),
  docker: z
    .strictObject({
      /** Debian's docker.io, or Docker's docker-ce where its repository is reachable. */
      package: z.enum(['docker.io', 'docker-ce']).default(DEFAULTS.docker.package),
    })
    .prefault({}),
  artifacts: z
    .strictObject({
      /** Where Consul and Nomad binaries come from; `auto` tries directory, release, then a source build. */
      source: z.enum(['auto', 'release', 'directory', 'build']).default(DEFAULTS.artifacts.source),
      directory: localFile.optional(),
    })
    .prefault({}),
  /** Task drivers every client enables, unless a node says otherwise (`nodes[].drivers`). */
  drivers: drivers.prefault({}),
  provider: z.discriminatedUnion('type', [vagrantProvider, sshProvider]).prefault({ type: DEFAULTS.provider.type }),
  // `contains`: what semantic.ts's "at least one server" says, for the generated JSON Schema.
  nodes: z.array(node).min(1).max(LIMITS.nodes).meta({ contains: { type: 'object', properties: { role: { enum: ['server', 'both'] } }, required: ['role'] } }),
  jobs: z.array(job).default([]),
  services: z.array(service).default([]),
  verify: z
    .strictObject({
      /**
       * How `verify` and `status` reach the lab addresses: `direct` from this host, `ssh` through each node's SSH
       * session, `auto`: direct for Vagrant, and for existing hosts direct when a node's Consul answers at its lab address.
       */
      via: z.enum(['auto', 'direct', 'ssh']).default(DEFAULTS.verify.via),
    })
    .prefault({}),
  /** The lab's own doors: off by default, so a workshop lab stays open to look around in. */
  security: z
    .strictObject({
      /** Consul and Nomad ACLs (default deny), bootstrapped by `up`; tokens kept in the lab's state folder. */
      acl: z.boolean().default(DEFAULTS.security.acl),
      /** A lab CA and per-node certificates: Consul and Nomad RPC and HTTP over mutual TLS. */
      tls: z.boolean().default(DEFAULTS.security.tls),
    })
    .prefault({}),
});

export type ClusterInput = z.input<typeof clusterSchema>;
export type ClusterSpec = z.output<typeof clusterSchema>;
export type NodeSpec = ClusterSpec['nodes'][number];
export type JobSpec = ClusterSpec['jobs'][number];
export type ServiceSpec = ClusterSpec['services'][number];
export type DriversSpec = ClusterSpec['drivers'];
export type ProviderSpec = ClusterSpec['provider'];
export type SecuritySpec = ClusterSpec['security'];
