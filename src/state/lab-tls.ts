import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterSpec, NodeSpec } from '../config/schema.ts';
import { NomadLabError } from '../errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../host/atomic-write.ts';
import { readPrivateFile } from './private-file.ts';

/** A certificate and its private key, PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** The lab's CA and what it signed: one pair per node (Consul and Nomad, RPC and HTTP) and one for nomad-lab itself. */
export interface LabTls {
  ca: string;
  nodes: Map<string, KeyPair>;
  /** nomad-lab's own client certificate (verify, status, `env`), as `consul tls cert create -cli` makes it. */
  cli: KeyPair;
}

const DAYS = '1825';
const REPLACE = "remove the lab's tls folder and `nomad-lab down` the lab, then `nomad-lab up` makes a new CA";

/** The names a node's certificate holds: what Consul and Nomad check with verify_server_hostname, and its own. */
export function certificateArgs(
  spec: Pick<ClusterSpec, 'datacenter' | 'region'>,
  node: Pick<NodeSpec, 'name' | 'role' | 'address'>,
): string[] {
  const server = node.role !== 'client';
  const client = node.role !== 'server';
  return [
    server ? '-server' : '-client',
    '-dc',
    spec.datacenter,
    '-domain',
    'consul',
    ...(server ? ['-additional-dnsname', `server.${spec.region}.nomad`] : []),
    ...(client ? ['-additional-dnsname', `client.${spec.region}.nomad`] : []),
    '-additional-dnsname',
    node.name,
    '-additional-ipaddress',
    node.address,
  ];
}

/**
 * The lab CA and certificates, made with the lab's own Consul binary (`consul tls ca create`, `consul tls cert
 * create`) once and kept in the state folder's `tls/` (mode 0700; keys 0600). A node's certificate is made again
 * only when the names it must hold change (its role or address); the CA never is.
 */
export async function ensureLabTls(stateDir: string, consul: string, spec: ClusterSpec): Promise<LabTls> {
  const { dir, ca, signedBy, sign } = await ensureLabCa(stateDir, consul);
  const nodes = new Map<string, KeyPair>();
  for (const node of spec.nodes) {
    const args = certificateArgs(spec, node);
    nodes.set(node.name, await ensurePair(dir, node.name, `${args.join(' ')} ${signedBy}`, consul, sign(args)));
  }
  const cli = await ensurePair(
    dir,
    'cli',
    signedBy,
    consul,
    sign(['-cli', '-dc', spec.datacenter, '-domain', 'consul']),
  );
  return { ca: ca.cert, nodes, cli };
}

/** The lab registry's certificate (for its node's address and name) and the CA that signed it. */
export interface RegistryTls extends KeyPair {
  ca: string;
}

/**
 * The registry's certificate, signed by the lab CA (made here when `security.tls` has not made it): the same CA
 * whether or not the agents use TLS, so turning `security.tls` on later keeps what the clients trust.
 */
export async function ensureRegistryTls(
  stateDir: string,
  consul: string,
  spec: Pick<ClusterSpec, 'datacenter'>,
  node: Pick<NodeSpec, 'name' | 'address'>,
): Promise<RegistryTls> {
  const { dir, ca, signedBy, sign } = await ensureLabCa(stateDir, consul);
  const args = registryCertificateArgs(spec, node);
  const pair = await ensurePair(dir, 'registry', `${args.join(' ')} ${signedBy}`, consul, sign(args));
  return { ca: ca.cert, ...pair };
}

/** The registry's certificate and its CA as `up` left them, undefined when there is none. */
export async function readRegistryTls(stateDir: string): Promise<RegistryTls | undefined> {
  const dir = join(stateDir, 'tls');
  const ca = await readPair(dir, 'ca');
  const pair = await readPair(dir, 'registry');
  return ca && pair ? { ca: ca.cert, ...pair } : undefined;
}

/** A server certificate that holds the registry node's address and name: what Docker checks when it pulls. */
export function registryCertificateArgs(
  spec: Pick<ClusterSpec, 'datacenter'>,
  node: Pick<NodeSpec, 'name' | 'address'>,
): string[] {
  const names = ['-additional-dnsname', node.name, '-additional-ipaddress', node.address];
  return ['-server', '-dc', spec.datacenter, '-domain', 'consul', ...names];
}

/** The lab CA in the state folder's `tls/`, made the first time, and how to sign a certificate with it. */
async function ensureLabCa(stateDir: string, consul: string) {
  const dir = join(stateDir, 'tls');
  await ensurePrivateDir(dir);
  const ca = await ensurePair(dir, 'ca', '', consul, ['tls', 'ca', 'create', '-domain', 'consul', '-days', DAYS]);
  // A certificate is made again when its CA is not the one it was signed by.
  const signedBy = `ca:${createHash('sha256').update(ca.cert).digest('hex').slice(0, 16)}`;
  const sign = (args: string[]) => [
    'tls',
    'cert',
    'create',
    ...args,
    '-ca',
    join(dir, 'ca.pem'),
    '-key',
    join(dir, 'ca-key.pem'),
    '-days',
    DAYS,
  ];
  return { dir, ca, signedBy, sign };
}

/** What `up` left in the state folder, for status, verify and `env`; undefined when it made no CA. */
export async function readLabTls(stateDir: string, spec: ClusterSpec): Promise<LabTls | undefined> {
  const dir = join(stateDir, 'tls');
  const ca = await readPair(dir, 'ca');
  const cli = await readPair(dir, 'cli');
  if (!ca || !cli) return undefined;
  const nodes = new Map<string, KeyPair>();
  for (const node of spec.nodes) {
    const pair = await readPair(dir, node.name);
    if (pair) nodes.set(node.name, pair);
  }
  return { ca: ca.cert, nodes, cli };
}

async function readPair(dir: string, name: string): Promise<KeyPair | undefined> {
  const cert = await readPrivateFile(join(dir, `${name}.pem`), `${name} certificate`, REPLACE, 'certificate');
  const key = await readPrivateFile(join(dir, `${name}-key.pem`), `${name} private key`, REPLACE, 'key');
  return cert === undefined || key === undefined ? undefined : { cert, key };
}

/** The pair `name` in `dir`, made by `consul ARGS` when it is missing or was made for other names (`made`). */
async function ensurePair(dir: string, name: string, made: string, consul: string, args: string[]): Promise<KeyPair> {
  const existing = await readPair(dir, name);
  const madeFor = await readPrivateFile(join(dir, `${name}.names`), `${name} certificate names`, REPLACE);
  if (existing && (madeFor ?? '') === made) return existing;
  // consul writes into its working folder: a private one inside the state folder, removed afterwards.
  const work = await mkdtemp(join(dir, `.${name}-`));
  try {
    // Loaded here: verify and status read the lab's certificates and never make one, and need not load execa.
    const { run } = await import('../host/run.ts');
    await run(consul, args, { cwd: work });
    const files = await readdir(work);
    const keyFile = files.find((f) => f.endsWith('-key.pem'));
    const certFile = files.find((f) => f.endsWith('.pem') && !f.endsWith('-key.pem'));
    if (!keyFile || !certFile)
      throw new NomadLabError(
        `consul ${args.slice(0, 3).join(' ')} wrote ${files.join(', ') || 'nothing'}: expected a certificate ` +
          `and its key`,
      );
    const pair = {
      cert: await readFile(join(work, certFile), 'utf8'),
      key: await readFile(join(work, keyFile), 'utf8'),
    };
    await writeFileAtomic(join(dir, `${name}-key.pem`), pair.key, { mode: 0o600 });
    await writeFileAtomic(join(dir, `${name}.pem`), pair.cert, { mode: 0o600 });
    await writeFileAtomic(join(dir, `${name}.names`), made, { mode: 0o600 });
    return pair;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
