import type { Duplex } from 'node:stream';
import type { Client, SFTPWrapper } from 'ssh2';
import { RemoteCommandError, tail } from '../errors.ts';
import type { NodeEndpoint } from './endpoint.ts';
import { execOnChannel, type ChannelContext } from './exec-channel.ts';
import { commandLine, displayCommand, type Command } from './quote.ts';
import { put } from './put.ts';
import type { ExecOptions, ExecResult, Remote, UploadOptions, UploadSource } from './remote.ts';

/** Throws RemoteCommandError for a non-zero exit; shared by every Remote, fakes included. */
export function checkExit(node: string, command: Command, result: ExecResult): ExecResult {
  if (result.exitCode === 0) return result;
  throw new RemoteCommandError(node, displayCommand(command), result.exitCode, tail(result.stderr || result.stdout), {
    cause: result,
  });
}

/** A Remote over one ready ssh2 Client, reused for every command and upload. */
export class SshRemote implements Remote {
  private lost: string | undefined;
  private closed = false;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private home: Promise<string> | undefined;
  private readonly context: ChannelContext;

  constructor(
    private readonly client: Client,
    readonly endpoint: NodeEndpoint,
  ) {
    const address = `${endpoint.host}:${endpoint.port}`;
    this.context = { node: endpoint.node, address, lostReason: () => this.lost };
    client.on('error', (error: Error) => {
      this.lost ??= `the SSH connection to ${address} failed: ${error.message}`;
    });
    const onGone = () => {
      this.lost ??= `the SSH connection to ${address} was lost before the command finished`;
    };
    client.on('end', onGone);
    client.on('close', () => {
      this.closed = true;
      onGone();
    });
  }

  get node(): string {
    return this.endpoint.node;
  }

  exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const sudo = options.sudo === true && this.endpoint.user !== 'root';
    return execOnChannel(this.client, this.context, commandLine(command, { sudo }), displayCommand(command), options);
  }

  async run(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    return checkExit(this.node, command, await this.exec(command, options));
  }

  put(source: UploadSource, remotePath: string, options: UploadOptions): Promise<void> {
    return put(
      {
        node: this.node,
        run: (c, o) => this.run(c, o),
        sftp: () => this.sftp(),
        stagingDir: () => this.stagingDir(),
        ...(this.endpoint.hostShare ? { hostShare: this.endpoint.hostShare } : {}),
      },
      source,
      remotePath,
      options,
    );
  }

  forward(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.lost !== undefined) return reject(new Error(this.lost));
      // The source address is only what sshd logs; the node opens the connection to host:port itself.
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
        error ? reject(new Error(this.lost ?? error.message, { cause: error })) : resolve(channel),
      );
    });
  }

  close(): Promise<void> {
    this.lost ??= `the SSH session to ${this.context.address} was closed by nomad-lab`;
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd: with a socket already gone, this timer may be all that keeps the process alive until it settles.
      const timer = setTimeout(resolve, 1000);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }

  /** One SFTP channel per session, opened on first use. */
  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)));
    }).catch((error: unknown) => {
      this.sftpSession = undefined;
      throw new RemoteCommandError(this.node, 'sftp', undefined, '', {
        cause: error,
        hint: this.lost ?? `could not start SFTP on ${this.context.address}: ${(error as Error).message}`,
      });
    });
    return this.sftpSession;
  }

  private async stagingDir(): Promise<string> {
    const sftp = await this.sftp();
    this.home ??= new Promise<string>((resolve, reject) => {
      sftp.realpath('.', (error, path) => (error ? reject(error) : resolve(path)));
    }).catch((error: unknown) => {
      this.home = undefined;
      throw error;
    });
    return this.home;
  }
}
