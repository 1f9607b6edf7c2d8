import { readFile } from 'node:fs/promises';
import pRetry from 'p-retry';
import ssh2, { type Client as SshClient, type ConnectConfig } from 'ssh2';
import { HostKeyError, RemoteConnectError } from '../errors.ts';
import type { NodeEndpoint } from './endpoint.ts';
import { checkOrPin, fingerprint } from './known-hosts.ts';
import type { Remote } from './remote.ts';
import { SshRemote } from './ssh-remote.ts';
import { env } from '../env.ts';

export interface ConnectOptions {
  /** Where host keys are pinned, e.g. `<labStateDir>/known_hosts`. */
  knownHostsFile: string;
  /** How long to keep trying while the machine boots; default 120 s. */
  deadlineMs?: number;
  /** SSH keepalive period; default 10 s (three unanswered in a row drop the connection). */
  keepaliveIntervalMs?: number;
  /** Told about each failed try before the wait, e.g. for a task's output line. */
  onRetry?: (info: { attempt: number; error: Error }) => void;
  signal?: AbortSignal;
}

type Auth = Pick<ConnectConfig, 'privateKey' | 'agent'>;

/** A failure that another try cannot fix: wrong key, changed host key. */
class Fatal extends Error {
  constructor(readonly error: Error) {
    super(error.message, { cause: error });
  }
}

const MAX_TRY_MS = 20_000;
// ssh2 is CommonJS: its named exports are not visible to ESM imports.
const { Client, utils } = ssh2;

function target(endpoint: NodeEndpoint): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
}

async function credentials(endpoint: NodeEndpoint): Promise<Auth> {
  const fail = (reason: string, cause?: unknown) =>
    new RemoteConnectError(endpoint.node, target(endpoint), reason, {
      cause,
      hint: "Check the node's key in cluster.yaml (or what `vagrant ssh-config` reports).",
    });
  if (endpoint.privateKeyPath === undefined) {
    const agent = env.sshAuthSock();
    if (!agent) throw fail('no private key is configured and no SSH agent is running ($SSH_AUTH_SOCK is unset)');
    return { agent };
  }
  let key: Buffer;
  try {
    key = await readFile(endpoint.privateKeyPath);
  } catch (error) {
    throw fail(`cannot read private key ${endpoint.privateKeyPath}: ${(error as Error).message}`, error);
  }
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error)
    throw fail(`cannot use private key ${endpoint.privateKeyPath}: ${parsed.message}`, parsed);
  return { privateKey: key };
}

/** One try: resolves with a ready client, or rejects (Fatal when retrying cannot help). */
function attempt(endpoint: NodeEndpoint, auth: Auth, options: ConnectOptions, timeoutMs: number): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyProblem: Error | undefined;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (!error) return resolve(client);
      client.destroy();
      const authFailed = (error as Error & { level?: string }).level === 'client-authentication';
      reject(hostKeyProblem ? new Fatal(hostKeyProblem) : authFailed ? new Fatal(error) : error);
    };
    // The Remote records later errors; this keeps one that comes first from crashing the process.
    client.on('error', (error: Error) => finish(error));
    client.once('close', () => finish(new Error('the connection closed during the SSH handshake')));
    client.once('ready', () => finish());

    const hostVerifier = (key: Buffer, verify: (valid: boolean) => void) => {
      checkOrPin(options.knownHostsFile, endpoint.node, endpoint.host, endpoint.port, key).then(
        (result) => {
          if (result.status === 'changed') {
            hostKeyProblem = new HostKeyError(
              endpoint.node,
              `${endpoint.host}:${endpoint.port}`,
              fingerprint(result.pinned.keyBase64),
              fingerprint(key),
              options.knownHostsFile,
              { cause: { pinned: result.pinned } },
            );
          }
          verify(result.status !== 'changed');
        },
        (error: unknown) => {
          hostKeyProblem = new Error(
            `cannot pin the host key in ${options.knownHostsFile}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
          verify(false);
        },
      );
    };

    try {
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        ...auth,
        hostVerifier,
        readyTimeout: timeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: 3,
      });
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Opens the node's SSH session, retrying with backoff until `deadlineMs` while the machine boots. */
export async function connect(endpoint: NodeEndpoint, options: ConnectOptions): Promise<Remote> {
  const auth = await credentials(endpoint);
  const deadlineMs = options.deadlineMs ?? 120_000;
  const started = performance.now();
  let attempts = 0;
  try {
    const client = await pRetry(
      () => {
        attempts += 1;
        const remaining = deadlineMs - (performance.now() - started);
        return attempt(endpoint, auth, options, Math.min(MAX_TRY_MS, Math.max(500, remaining)));
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 250,
        factor: 2,
        maxTimeout: 5_000,
        maxRetryTime: deadlineMs,
        signal: options.signal,
        shouldRetry: ({ error }) => !(error instanceof Fatal),
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (!(error instanceof Fatal)) options.onRetry?.({ attempt: attemptNumber, error });
        },
      },
    );
    return new SshRemote(client, endpoint);
  } catch (error) {
    throw explain(endpoint, error, attempts, performance.now() - started);
  }
}

function explain(endpoint: NodeEndpoint, error: unknown, attempts: number, elapsedMs: number): Error {
  if (error instanceof Fatal) {
    if (error.error instanceof HostKeyError) return error.error;
    if ((error.error as Error & { level?: string }).level === 'client-authentication') {
      const how = endpoint.privateKeyPath ? `the key ${endpoint.privateKeyPath}` : 'the keys of the SSH agent';
      return new RemoteConnectError(
        endpoint.node,
        target(endpoint),
        `authentication as ${endpoint.user} with ${how} was refused`,
        {
          cause: error.error,
          hint: "Check the node's user and key in cluster.yaml (or what `vagrant ssh-config` reports).",
        },
      );
    }
    return new RemoteConnectError(endpoint.node, target(endpoint), error.message, { cause: error.error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const seconds = (elapsedMs / 1000).toFixed(1);
  return new RemoteConnectError(
    endpoint.node,
    target(endpoint),
    `no SSH session after ${attempts} ${attempts === 1 ? 'try' : 'tries'} in ${seconds} s; last error: ${message}`,
    { cause: error, hint: 'Is the machine running, and its SSH port reachable from this host?' },
  );
}
