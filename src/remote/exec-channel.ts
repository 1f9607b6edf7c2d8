import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import { RemoteCommandError, tail } from '../errors.ts';
import type { ExecOptions, ExecResult } from './remote.ts';

/** What an exec needs to know about its connection, to explain a failure. */
export interface ChannelContext {
  node: string;
  /** `host:port`, for messages. */
  address: string;
  /** Says why the connection is gone, or undefined while it is up. */
  lostReason(): string | undefined;
}

/** Collects a stream's bytes and hands decoded text to a listener as it arrives. */
class Capture {
  private readonly chunks: Buffer[] = [];
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly listener?: (chunk: string) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    if (this.listener) {
      const text = this.decoder.write(chunk);
      if (text) this.listener(text);
    }
  }

  text(): string {
    if (this.listener) {
      const rest = this.decoder.end();
      if (rest) this.listener(rest);
    }
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs `line` on one new channel; resolves with the exit code, rejects when there is none (lost, killed, timed out).
 */
export function execOnChannel(
  client: Client,
  context: ChannelContext,
  line: string,
  display: string,
  options: ExecOptions,
): Promise<ExecResult> {
  const fail = (reason: string, stderr: string, cause?: unknown) =>
    new RemoteCommandError(context.node, display, undefined, tail(stderr), { cause, hint: reason });

  return new Promise<ExecResult>((resolve, reject) => {
    const gone = context.lostReason();
    if (gone) return reject(fail(gone, ''));
    const opened = (error: Error | undefined, channel: ClientChannel) => {
      if (error) {
        const reason = context.lostReason() ?? `could not open an SSH channel to ${context.address}: ${error.message}`;
        return reject(fail(reason, '', error));
      }
      // Listeners go on at once: exit status and close can arrive in the same packet batch as the open confirmation.
      watch(channel, options, resolve, reject, fail, context);
    };
    try {
      client.exec(line, opened);
    } catch (error) {
      // ssh2 throws synchronously when the connection is already closed.
      reject(fail(context.lostReason() ?? (error as Error).message, '', error));
    }
  });
}

function watch(
  channel: ClientChannel,
  options: ExecOptions,
  resolve: (result: ExecResult) => void,
  reject: (error: Error) => void,
  fail: (reason: string, stderr: string) => Error,
  context: ChannelContext,
): void {
  const stdout = new Capture(options.onStdout);
  const stderr = new Capture(options.onStderr);
  let exitCode: number | undefined;
  let signal: string | undefined;
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          channel.signal('KILL');
          channel.close();
        }, options.timeoutMs);

  channel.on('data', (chunk: Buffer) => stdout.push(chunk));
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  channel.on('exit', (code: number | null, signalName?: string) => {
    if (typeof code === 'number') exitCode = code;
    else signal = signalName;
  });
  channel.on('error', () => undefined);
  channel.on('close', () => {
    if (timer) clearTimeout(timer);
    const out = stdout.text();
    const err = stderr.text();
    if (timedOut) return reject(fail(`stopped after ${options.timeoutMs} ms without finishing`, err));
    if (exitCode !== undefined) return resolve({ exitCode, stdout: out, stderr: err });
    if (signal !== undefined) return reject(fail(`killed by signal ${signal}`, err));
    // The client learns of a dropped socket only after the channels close; look once more on the next turn.
    setImmediate(() =>
      reject(
        fail(
          context.lostReason() ??
            `the SSH channel to ${context.address} closed before the command reported an exit status`,
          err,
        ),
      ),
    );
  });

  writeStdin(channel, options.stdin);
}

function writeStdin(channel: ClientChannel, stdin: ExecOptions['stdin']): void {
  if (stdin === undefined) {
    // EOF at once, so a command that reads stdin does not wait forever.
    channel.end();
  } else if (stdin instanceof Readable) {
    stdin.on('error', () => channel.close());
    stdin.pipe(channel);
  } else {
    channel.end(stdin);
  }
}
