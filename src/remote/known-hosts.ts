import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../host/atomic-write.ts';

/** One pinned host key: a line `[host]:port key-type base64 node` (OpenSSH known_hosts, node as comment). */
export interface PinnedKey {
  node: string;
  /** `host` for port 22, else `[host]:port`, as OpenSSH writes it. */
  hostField: string;
  keyType: string;
  /** The SSH wire-format public key, base64. */
  keyBase64: string;
}

export type PinResult = { status: 'pinned' | 'match' } | { status: 'changed'; pinned: PinnedKey };

const HEADER =
  '# nomad-lab: SSH host keys pinned on first contact, one line per node (the last field).\n' +
  '# A machine that was re-created has a new key: `nomad-lab down` clears this file, or remove its line.\n';

export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer | string): string {
  const blob = typeof key === 'string' ? Buffer.from(key, 'base64') : key;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH wire-format key (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

export function parseKnownHosts(text: string): PinnedKey[] {
  const pins: PinnedKey[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[0]!.startsWith('#')) continue;
    const [field, type, keyBase64, node] = fields as [string, string, string, string];
    pins.push({ node, hostField: field, keyType: type, keyBase64 });
  }
  return pins;
}

export function formatKnownHosts(pins: readonly PinnedKey[]): string {
  return HEADER + pins.map((p) => `${p.hostField} ${p.keyType} ${p.keyBase64} ${p.node}\n`).join('');
}

async function readPins(file: string): Promise<PinnedKey[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function writePins(file: string, pins: readonly PinnedKey[]): Promise<void> {
  // The lab's state folder may not exist yet (status or reset before up): made private here too.
  await ensurePrivateDir(dirname(file));
  await writeFileAtomic(file, formatKnownHosts(pins), { mode: 0o600 });
}

// Nodes connect concurrently and would otherwise overwrite each other's new pins.
const locks = new Map<string, Promise<unknown>>();

function withLock<T>(file: string, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(file) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  locks.set(file, settled);
  void settled.then(() => {
    if (locks.get(file) === settled) locks.delete(file);
  });
  return next;
}

/** Pins `key` for (node, host:port) on first contact; afterwards says whether it matches the pinned key. */
export function checkOrPin(file: string, node: string, host: string, port: number, key: Buffer): Promise<PinResult> {
  return withLock(file, async () => {
    const field = hostField(host, port);
    const pins = await readPins(file);
    const pinned = pins.find((p) => p.node === node && p.hostField === field);
    const keyBase64 = key.toString('base64');
    if (pinned) return pinned.keyBase64 === keyBase64 ? { status: 'match' } : { status: 'changed', pinned };
    await writePins(file, [...pins, { node, hostField: field, keyType: keyType(key), keyBase64 }]);
    return { status: 'pinned' };
  });
}

/** Forgets the pinned keys of `nodes` (all of them, and the file, when omitted); returns how many were removed. */
export function forgetHostKeys(file: string, nodes?: readonly string[]): Promise<number> {
  return withLock(file, async () => {
    const pins = await readPins(file);
    if (nodes === undefined) {
      await rm(file, { force: true });
      return pins.length;
    }
    const kept = pins.filter((p) => !nodes.includes(p.node));
    if (kept.length !== pins.length) await writePins(file, kept);
    return pins.length - kept.length;
  });
}
