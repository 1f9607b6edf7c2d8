import type { Duplex, Readable } from 'node:stream';
import type { Command } from './quote.ts';

export interface ExecOptions {
  /** Run as root: `sudo -n --` for a non-root user, nothing for root. */
  sudo?: boolean;
  /** Sent to the command's stdin, then EOF; the place for secrets, since it never appears in errors. */
  stdin?: string | Buffer | Readable;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Stops the command and rejects after this long; no limit when omitted. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What to upload: text or bytes in memory, or a local file streamed from disk. */
export type UploadSource =
  | string
  | Buffer
  | {
      localPath: string;
      /** The file's sha256 (hex) when already known, e.g. from a release's SHA256SUMS; saves reading it twice. */
      sha256?: string;
    };

export interface UploadOptions {
  /** File mode, e.g. `0o644`. */
  mode: number;
  owner?: string;
  group?: string;
  /** Write as root; on by default because targets are system paths like /etc/consul.d. */
  sudo?: boolean;
}

/** One node's SSH session, kept open and reused by every step. */
export interface Remote {
  readonly node: string;
  /** Runs a command; a non-zero exit is returned, not thrown. */
  exec(command: Command, options?: ExecOptions): Promise<ExecResult>;
  /** Runs a command; a non-zero exit throws RemoteCommandError. */
  run(command: Command, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Writes a file whole: staged, installed beside the target with its mode and owner, renamed into place. It compares
   * nothing: deciding is the planners' (ops/files.ts).
   */
  put(source: UploadSource, remotePath: string, options: UploadOptions): Promise<void>;
  /**
   * A TCP connection the node itself opens to host:port (SSH direct-tcpip), e.g. to its own Consul on the lab address.
   */
  forward(host: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}
