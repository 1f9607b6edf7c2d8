import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AuthContext, type Connection, type ParsedKey, type SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** A key pair as OpenSSH text. */
export interface KeyPair {
  private: string;
  public: string;
}

export function generateKey(): KeyPair {
  // About 3 in 1000 ed25519 keys from ssh2's generator are refused by its own parser
  // ("Malformed OpenSSH private key"); take the next one.
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

export interface TestServerOptions {
  hostKey: KeyPair;
  /** The only client key accepted. */
  clientKey: KeyPair;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** The SFTP user's home (staging copies land here); a fresh temp dir when omitted. */
  home?: string;
  /** Where the node's ports are on this host: a direct-tcpip to port P goes to ports[P] (e.g. its Consul's 8500). */
  ports?: Record<number, number>;
}

export interface TestServer {
  port: number;
  home: string;
  /** Every exec command line received, in order. */
  readonly commands: string[];
  /** Every `host:port` a client asked the server to connect to (direct-tcpip), in order. */
  readonly forwarded: string[];
  /** Every command run through the fake `sudo`. */
  sudoLog(): string[];
  /** Cuts every TCP connection at once, as a crashed or rebooted machine would. */
  dropConnections(): void;
  /** Resolves when an exec whose line contains `text` has started. */
  started(text: string): Promise<void>;
  close(): Promise<void>;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function authenticate(ctx: AuthContext, allowed: ParsedKey): void {
  if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
  if (ctx.key.algo !== allowed.type || !same(ctx.key.data, allowed.getPublicSSH())) return ctx.reject(['publickey']);
  if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)
    return ctx.reject(['publickey']);
  ctx.accept();
}

/** SFTP backed by the real file system: just what uploads use (open, write, close, chmod, realpath, unlink, stat). */
function serveSftp(sftp: SFTPWrapper, home: string): void {
  const files = new Map<number, number>();
  let next = 0;
  const fdOf = (handle: Buffer) => files.get(handle.readUInt32BE(0));
  const guard = (reqid: number, work: () => void) => {
    try {
      work();
    } catch {
      sftp.status(reqid, STATUS_CODE.FAILURE);
    }
  };
  const attrsOf = (st: Stats) => ({
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: st.atimeMs / 1000,
    mtime: st.mtimeMs / 1000,
  });
  sftp
    .on('OPEN', (reqid, filename, flags, attrs) =>
      guard(reqid, () => {
        const mode = typeof attrs.mode === 'number' ? attrs.mode & 0o7777 : 0o644;
        const fd = openSync(filename, utils.sftp.flagsToString(flags) ?? 'r', mode);
        if (flags & OPEN_MODE.WRITE) fchmodSync(fd, mode);
        const handle = Buffer.alloc(4);
        handle.writeUInt32BE(next, 0);
        files.set(next++, fd);
        sftp.handle(reqid, handle);
      }),
    )
    .on('WRITE', (reqid, handle, offset, data) =>
      guard(reqid, () => {
        writeSync(fdOf(handle)!, data, 0, data.length, offset);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('CLOSE', (reqid, handle) =>
      guard(reqid, () => {
        closeSync(fdOf(handle)!);
        files.delete(handle.readUInt32BE(0));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('FSTAT', (reqid, handle) => guard(reqid, () => sftp.attrs(reqid, attrsOf(fstatSync(fdOf(handle)!)))))
    .on('STAT', (reqid, path) => guard(reqid, () => sftp.attrs(reqid, attrsOf(statSync(path)))))
    .on('LSTAT', (reqid, path) => guard(reqid, () => sftp.attrs(reqid, attrsOf(statSync(path)))))
    .on('FSETSTAT', (reqid, handle, attrs) =>
      guard(reqid, () => {
        if (typeof attrs.mode === 'number') fchmodSync(fdOf(handle)!, attrs.mode & 0o7777);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('SETSTAT', (reqid, path, attrs) =>
      guard(reqid, () => {
        if (typeof attrs.mode === 'number') chmodSync(path, attrs.mode & 0o7777);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('REMOVE', (reqid, path) =>
      guard(reqid, () => {
        unlinkSync(path);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('RENAME', (reqid, from, to) =>
      guard(reqid, () => {
        renameSync(from, to);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on('REALPATH', (reqid, path) =>
      guard(reqid, () => {
        const absolute = path === '.' || path === '' ? home : path.startsWith('/') ? path : join(home, path);
        sftp.name(reqid, [{ filename: absolute, longname: absolute, attrs: {} as never }]);
      }),
    );
}

/** Runs each exec as `sh -c <line>` on this host, with a fake `sudo` that logs and runs its command. */
function serveExec(
  connection: Connection,
  home: string,
  shimDir: string,
  commands: string[],
  onStart: (line: string) => void,
): void {
  connection.on('session', (acceptSession) => {
    const session = acceptSession();
    session.on('exec', (accept, _reject, info) => {
      const stream = accept();
      commands.push(info.command);
      const child = spawn('sh', ['-c', info.command], {
        cwd: home,
        env: { ...process.env, PATH: `${shimDir}:${process.env['PATH'] ?? ''}`, HOME: home },
      });
      stream.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
      child.stdout.pipe(stream, { end: false });
      child.stderr.pipe(stream.stderr, { end: false });
      onStart(info.command);
      child.on('close', (code, signal) => {
        if (!stream.writable) return;
        if (code === null) stream.exit(signal ?? 'KILL', false, '');
        else stream.exit(code);
        stream.end();
      });
      stream.on('close', () => child.kill('SIGKILL'));
    });
    session.on('sftp', (accept) => serveSftp(accept(), home));
  });
}

function listen(server: NetServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/**
 * A free TCP port on 127.0.0.1 for a server that starts listening later; picked below the ephemeral
 * range, so servers on port 0 in concurrent tests cannot take it meanwhile.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const probe = createServer();
    try {
      await listen(probe, port);
      await new Promise((resolve) => probe.close(resolve));
      return port;
    } catch {
      continue;
    }
  }
}

/** A real ssh2 server on 127.0.0.1: exec runs a real shell, SFTP writes the real file system. */
export async function startServer(options: TestServerOptions): Promise<TestServer> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'nomad-lab-ssh-home-'));
  const shimDir = mkdtempSync(join(tmpdir(), 'nomad-lab-ssh-shim-'));
  const sudoLog = join(shimDir, 'sudo.log');
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(shimDir, 'sudo'),
    [
      '#!/bin/sh',
      '[ "$1" = -n ] && shift',
      '[ "$1" = -- ] && shift',
      `printf '%s' "$*" | tr '\\n' ' ' >> '${sudoLog}'`,
      `echo >> '${sudoLog}'`,
      'exec "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const allowed = utils.parseKey(options.clientKey.public);
  if (allowed instanceof Error || Array.isArray(allowed)) throw new Error('bad client key');

  const commands: string[] = [];
  const forwarded: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const onStart = (line: string) => {
    for (const waiter of waiters.filter((w) => line.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const sockets = new Set<Socket>();
  const ssh = new Server({ hostKeys: [options.hostKey.private] }, (connection) => {
    connection.on('error', () => undefined);
    connection.on('authentication', (ctx) => authenticate(ctx, allowed));
    connection.on('ready', () => serveExec(connection, home, shimDir, commands, onStart));
    // direct-tcpip, as sshd's AllowTcpForwarding: the server opens the connection and pipes it to the channel.
    connection.on('tcpip', (accept, reject, info) => {
      forwarded.push(`${info.destIP}:${info.destPort}`);
      const target = connect({ host: info.destIP, port: options.ports?.[info.destPort] ?? info.destPort });
      target.once('error', () => reject());
      target.once('connect', () => {
        const channel = accept();
        target.removeAllListeners('error');
        target.on('error', () => channel.destroy());
        channel.on('error', () => target.destroy());
        channel.pipe(target).pipe(channel);
      });
    });
  });
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    ssh.injectSocket(socket);
  });
  const port = await listen(tcp, options.port ?? 0);

  return {
    port,
    home,
    commands,
    forwarded,
    sudoLog: () => {
      try {
        return readFileSync(sudoLog, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    started: (text) => new Promise((resolve) => waiters.push({ text, resolve })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
      rmSync(shimDir, { recursive: true, force: true });
    },
  };
}
