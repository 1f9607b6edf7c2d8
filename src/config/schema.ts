import * as z from 'zod';
import ipaddr from 'ipaddr.js';
import { hasControlCharacter, quote } from '../text.ts';
import { DEFAULTS } from './defaults.ts';
import { CONSUL_DOMAIN, readConsulDnsName } from './consul-dns.ts';
import { LIMITS } from './limits.ts';
import { systemPathProblem } from './system-paths.ts';

// Every string that can reach a remote shell or a rendered config is held to a
// pattern here, so no value from cluster.yaml can carry a shell metacharacter.

const label = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be usable as a hostname: lowercase letters, digits and "-", 1 to 63 characters, starting and ending ' +
      'with a letter or digit',
  );

const volumeName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be lowercase letters, digits, "_" and "-", starting with a letter or digit',
  );

const version = z
  .string()
  .max(32)
  .regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.22.7 (three numbers, no "v")');

/** A custom issue whose message already names the value: described as it is, with no ", got ...". */
function complete(ctx: z.core.$RefinementCtx, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { complete: true } });
}

const PATH_CHARACTERS = /^\/[A-Za-z0-9._/-]*$/;

/** An absolute path on a node. */
const nodePath = z
  .string()
  .max(LIMITS.pathChars)
  .regex(
    PATH_CHARACTERS,
    'must be an absolute path of letters, digits, ".", "_", "-" and "/" (no spaces or shell characters)',
  )
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

const hostVolumePath = nodePath.superRefine((path, ctx) => {
  const problem = PATH_CHARACTERS.test(path) ? systemPathProblem(path) : undefined;
  if (problem) complete(ctx, `${quote(path)} ${problem}`);
});

const httpPath = z
  .string()
  .max(LIMITS.pathChars)
  .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path starting with "/" (letters, digits, ".", "_", "~", "-", "/")');

const localFile = z
  .string()
  .min(1, 'must be a file path')
  .max(LIMITS.pathChars)
  .refine(
    (p) => !hasControlCharacter(p),
    'must not hold control or invisible characters (escape sequences, newlines, tabs, zero-width or bidi marks)',
  );

// Four decimal numbers without leading zeros: the only form zod's ipv4 takes, and the one Docker and Consul print.
const ipv4 = z.ipv4({ error: 'must be an IPv4 address like 10.77.0.10 (four decimal numbers, no leading zeros)' });

/** Of IPv4's form in any notation; ipaddr.js throws on a single number past 32 bits rather than answer. */
function looksLikeIpv4(value: string): boolean {
  try {
    return ipaddr.IPv4.isIPv4(value);
  } catch {
    return true;
  }
}

/**
 * Why `written` (an address, or an address and `suffix`) is not the plain form it may be read as, or undefined when it
 * is.
 * Resolvers read other forms of IPv4 (`012.0.0.1` is 10.0.0.1, `0xa.1` is 10.0.0.1); a leading zero is octal to some
 * tools and decimal to others, so the hint names both readings instead of guessing.
 */
function looseIpv4Problem(written: string, address: string, suffix = ''): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address) || !looksLikeIpv4(address)) return undefined;
  // An address of IPv4's form whose numbers do not fit: ipaddr.js throws on these rather than answer.
  if (!ipaddr.IPv4.isValid(address))
    return (
      `${quote(written)} looks like an IPv4 address, but its numbers are out of range: write four decimal ` +
      `numbers from 0 to 255, like 10.77.0.10`
    );
  const read = `${ipaddr.IPv4.parse(address).toString()}${suffix}`;
  const parts = address.split('.');
  const decimal =
    parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
      ? `${parts.map(Number).join('.')}${suffix}`
      : undefined;
  if (decimal !== undefined && decimal !== read) {
    return (
      `${quote(written)} has a number with a leading zero, which some tools read as octal (${read}) and others ` +
      `as decimal (${decimal}): write the one you ` +
      `mean without leading zeros`
    );
  }
  return `${quote(written)} is read as ${read}: write ${read} (four decimal numbers, no leading zeros)`;
}

// For the generated JSON Schema (editors), which cannot run the checks in code.
const IPV4_PATTERN =
  '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}';

const hostOrAddress = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/,
    'must be a hostname or IPv4 address (letters, digits, "." and "-")',
  )
  .superRefine((host, ctx) => {
    const problem = looseIpv4Problem(host, host);
    if (problem) complete(ctx, problem);
    // No top-level domain is all digits: `1.2.3.4.5` is neither a name nor an address.
    else if (/^[0-9.]+$/.test(host) && !ipaddr.IPv4.isValidFourPartDecimal(host))
      complete(
        ctx,
        `${quote(host)} is neither a hostname nor an IPv4 address: write four decimal numbers from 0 to 255, ` +
          `like 10.77.0.10`,
      );
  });

const unixUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name (lowercase letters, digits, "_", "-")');

const port = z.int().min(1).max(65535);

const cidr = z
  .string()
  .superRefine((value, ctx) => {
    const [address, prefix] = ipaddr.isValidCIDR(value) ? ipaddr.parseCIDR(value) : [];
    if (address?.kind() !== 'ipv4' || prefix === undefined || prefix < 8 || prefix > 29) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an IPv4 network in CIDR form with a prefix from /8 to /29, like 10.77.0.0/24',
      });
      return;
    }
    // Docker prints the canonical form, and `down` finds the lab's network by it.
    const [writtenAddress = '', writtenPrefix = ''] = value.split('/');
    const canonical = `${address.toString()}/${prefix}`;
    const problem =
      looseIpv4Problem(value, writtenAddress, `/${prefix}`) ??
      (writtenPrefix === String(prefix)
        ? undefined
        : `${quote(value)} is read as ${canonical}: write ${canonical} (four decimal numbers, no leading zeros)`);
    if (problem) complete(ctx, problem);
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
    // Docker's own bound and grammar: parts of lowercase letters and digits, joined by ".", "_", "__" or dashes,
    // separated by "/".
    .max(255)
    .regex(
      /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
      'must be a Docker image name without a tag, like nomadlab/node (lowercase letters and digits, joined by ' +
        '".", "_" or "-", parts separated by "/")',
    )
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
    .max(255)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'must be a Vagrant box name like debian/bookworm64 (each part starting with a letter or digit)',
    )
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

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const YEAR_MS = 8760 * UNIT_MS['h']!;

// Nomad reads durations as Go's, which overflow past 292 years; a lab needs none past a year.
const duration = z
  .string()
  .regex(DURATION, 'must be a duration like 30s, 3m or 1h')
  .refine((d) => {
    const [, n = '0', unit = 'ms'] = DURATION.exec(d) ?? [];
    return Number(n) * UNIT_MS[unit]! <= YEAR_MS;
  }, 'must be at most a year (8760h)');

const capability = z
  .string()
  .max(64)
  .regex(
    /^([a-z_]+|all)$/,
    'must be a Linux capability in lowercase without "cap_", like net_raw or sys_time (or "all")',
  );

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
      helper: z
        .string()
        .max(64)
        .regex(
          /^[a-z0-9][a-z0-9._-]*$/,
          'must be a credential helper name like ecr-login (the part after docker-credential-)',
        )
        .optional(),
    })
    .optional(),
});

/** The podman task driver (the nomad-driver-podman plugin) and the plugin options of its documentation. */
const podmanDriver = z.strictObject({
  enabled: z.boolean().default(DEFAULTS.drivers.podman.enabled),
  /** Podman's API socket on the client; `up` enables podman.socket, which listens at the default path. */
  socket_path: nodePath.default(DEFAULTS.drivers.podman.socket_path),
  volumes: z
    .strictObject({
      /** Bind mounts from the host into containers (the task option `volumes`), and Nomad's host volumes. */
      enabled: z.boolean().default(DEFAULTS.drivers.podman.volumes.enabled),
      /** SELinux label of bind mounts: z (shared) or Z (private); unset: none. */
      selinuxlabel: z.enum(['z', 'Z']).optional(),
    })
    .prefault({}),
  gc: z.strictObject({ container: z.boolean().default(DEFAULTS.drivers.podman.gc.container) }).prefault({}),
  /** Start a task's stopped container again when the client restarts, instead of a new one. */
  recover_stopped: z.boolean().default(DEFAULTS.drivers.podman.recover_stopped),
  /** Task metadata added to every container as labels, e.g. job_name, task_group_name (globs like task*). */
  extra_labels: z
    .array(
      z
        .string()
        .max(64)
        .regex(/^[a-z_*]+$/, 'must be a label name like job_name or task_group_name, or a glob like task*'),
    )
    .default([]),
});

/** A driver with no options of nomad-lab's: raw_exec (plain binaries on the client). */
const switchDriver = (enabled: boolean) => z.strictObject({ enabled: z.boolean().default(enabled) });

/** Which task drivers a client enables, and their plugin options. */
const drivers = z.strictObject({
  docker: dockerDriver.prefault({}),
  raw_exec: switchDriver(DEFAULTS.drivers.raw_exec.enabled).prefault({}),
  podman: podmanDriver.prefault({}),
});

/** A node's own drivers: each one given replaces the lab-wide `drivers` entry of that name. */
const nodeDrivers = z.strictObject({
  docker: dockerDriver.optional(),
  raw_exec: switchDriver(DEFAULTS.drivers.raw_exec.enabled).optional(),
  podman: podmanDriver.optional(),
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
  count: z.int().min(0).max(LIMITS.serviceCount).default(DEFAULTS.service.count),
  /** How each instance's port is proven to answer. */
  check: z.enum(['tcp', 'http', 'none']).default(DEFAULTS.service.check),
  path: httpPath.default(DEFAULTS.service.path),
  /** The job that registers it. */
  job: label.optional(),
});

const DNS_LABEL = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?';
const DNS_NAME_PATTERN = `^(${DNS_LABEL}\\.)+${CONSUL_DOMAIN}$`;
const DNS_NAME = new RegExp(DNS_NAME_PATTERN);
const EXAMPLE = `todo-db.service.${CONSUL_DOMAIN}`;

/** A name for the lab's Consul DNS, as `dig` takes it: `todo-db.service.dc1.consul`, `_web._tcp.service.consul`. */
const consulDnsName = z
  .string()
  .max(253)
  .superRefine((name, ctx) => {
    if (name.length > 253) return;
    const domain = `.${CONSUL_DOMAIN}`;
    if (name.endsWith('.')) {
      complete(ctx, `${quote(name)} ends in a dot: write it without, ${quote(name.replace(/\.+$/, ''))}`);
    } else if (!name.endsWith(domain)) {
      complete(ctx, `${quote(name)} is not in the lab's Consul domain: end it in "${domain}", like ${EXAMPLE}`);
    } else if (name !== name.toLowerCase()) {
      const lower = quote(name.toLowerCase());
      complete(ctx, `${quote(name)} has capitals, which DNS ignores: write it in lowercase, ${lower}`);
    } else if (!DNS_NAME.test(name)) {
      complete(
        ctx,
        `${quote(name)} is not a DNS name: labels of 1 to 63 lowercase letters, digits, "-" and "_", ` +
          'each ending in a letter or digit, separated by "."',
      );
    } else if (readConsulDnsName(name) === undefined) {
      complete(
        ctx,
        `${quote(name)} names no kind of Consul lookup: write NAME.service.${CONSUL_DOMAIN}, ` +
          `TAG.NAME.service.${CONSUL_DOMAIN}, _NAME._TAG.service.${CONSUL_DOMAIN} or NODE.node.${CONSUL_DOMAIN} ` +
          `(a datacenter may follow the kind: NAME.service.DC.${CONSUL_DOMAIN})`,
      );
    }
  })
  // For the generated JSON Schema (editors), which cannot run the check above.
  .meta({ pattern: DNS_NAME_PATTERN });

/** One lookup `verify` asks of every node's Consul DNS, beside the services' SRV. */
const dnsLookup = z.strictObject({
  name: consulDnsName,
  /** A: the addresses of the nodes that run it; SRV: its instances, each target resolved to a node address. */
  type: z.enum(['A', 'SRV']),
  /** Exactly this many answers; unset: at least one. */
  count: z.int().min(1).max(LIMITS.serviceCount).optional(),
});

export const clusterSchema = z.strictObject({
  version: z.literal(1),
  name: label.default(DEFAULTS.name),
  datacenter: label.default(DEFAULTS.datacenter),
  region: label.default(DEFAULTS.region),
  /**
   * How the agents run: `standard` (systemd services with the lab's configs), `dev` (`consul agent -dev` and
   * `nomad agent -dev` on one node), `container` (Consul a service, Nomad a Docker container on the node).
   */
  mode: z.enum(['standard', 'dev', 'container']).default(DEFAULTS.mode),
  network: z.strictObject({
    /** The lab's private network; every node address lies inside it. */
    cidr,
  }),
  versions: z
    .strictObject({
      consul: version.default(DEFAULTS.versions.consul),
      nomad: version.default(DEFAULTS.versions.nomad),
      /**
       * The Docker engine's upstream version; unset: whichever the host's Debian release ships (Debian 12: 20.10.24).
       */
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
      /** The podman driver plugin, for clients that enable it: a release zip where reachable, else its source. */
      podman: z
        .strictObject({
          /**
           * The plugin's release source archive (nomad-driver-podman-0.6.5.tar.gz): a path relative to the cluster
           * file, or an http(s) URL; built with Go into the cache.
           */
          archive: localFile.optional(),
          /** The archive's sha256; unset: the one nomad-lab pins (hashicorp/nomad-driver-podman/build.json). */
          sha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex: 64 lowercase hexadecimal digits')
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Task drivers every client enables, unless a node says otherwise (`nodes[].drivers`). */
  drivers: drivers.prefault({}),
  files: z
    .strictObject({
      /**
       * Folders outside the cluster file's folder that job files and image tarballs may come from. They are sent to
       * the nodes, so by default they come only from the cluster file's own folder: this is the explicit opt-in.
       */
      allow_from: z.array(localFile).max(LIMITS.allowFrom).default([]),
    })
    .prefault({}),
  provider: z.discriminatedUnion('type', [vagrantProvider, sshProvider]).prefault({ type: DEFAULTS.provider.type }),
  // `contains`: what semantic.ts's "at least one server" says, for the generated JSON Schema.
  nodes: z
    .array(node)
    .min(1)
    .max(LIMITS.nodes)
    .meta({ contains: { type: 'object', properties: { role: { enum: ['server', 'both'] } }, required: ['role'] } }),
  jobs: z.array(job).default([]),
  services: z.array(service).default([]),
  /** Lookups `verify` asks of every node's Consul DNS besides the services' SRV: A, with a datacenter, tagged SRV. */
  dns: z.array(dnsLookup).max(LIMITS.dnsLookups).default([]),
  verify: z
    .strictObject({
      /**
       * How `verify` and `status` reach the lab addresses: `direct` from this host, `ssh` through each node's SSH
       * session, `auto`: direct for Vagrant, and for existing hosts direct when a node's Consul answers at its lab
       * address.
       */
      via: z.enum(['auto', 'direct', 'ssh']).default(DEFAULTS.verify.via),
    })
    .prefault({}),
  /**
   * A lab registry (Debian's docker-registry) on one node, with htpasswd auth and TLS from the lab CA: `up` pushes
   * the job images to it and clients pull from it. Unset: images are preloaded from tarballs (air-gapped labs).
   */
  registry: z
    .strictObject({
      /** The node that runs it; jobs name images `ADDRESS:PORT/NAME:TAG` with that node's address. */
      node: label,
      port: port.default(DEFAULTS.registry.port),
    })
    .optional(),
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
export type DnsLookupSpec = ClusterSpec['dns'][number];
export type DriversSpec = ClusterSpec['drivers'];
export type ProviderSpec = ClusterSpec['provider'];
export type SecuritySpec = ClusterSpec['security'];
export type RegistrySpec = NonNullable<ClusterSpec['registry']>;
export type LabMode = ClusterSpec['mode'];
