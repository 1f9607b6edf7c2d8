import { NomadLabError, tail } from '../errors.ts';
import { DIRECT, type Dialer } from './dialer.ts';
import { hostPort, httpRequest, httpStream, type HttpTls } from './http.ts';

// One client of Consul's and Nomad's HTTP APIs: from this host or through a node's SSH channel, HTTPS with the lab CA
// and a client certificate, a token in the header its agent reads. It knows bytes, channels and header names; what
// the lab's credentials are is its callers' to say.

/** The header each agent reads its ACL token from. */
export const TOKEN_HEADER = { consul: 'X-Consul-Token', nomad: 'X-Nomad-Token' } as const;

/** Where an agent's API is and what its requests carry. */
export interface AgentEndpoint {
  /** `Nomad API`: what messages call it. */
  name: string;
  /** The address the agent listens on, as the dialer's connections start: `127.0.0.1` from the node itself. */
  host: string;
  port: number;
  /** HTTPS with this CA and client certificate; plain HTTP when omitted. */
  tls?: HttpTls;
  /** The header the agent reads its ACL token from (TOKEN_HEADER). */
  tokenHeader?: string;
  /** An ACL token; none is sent when omitted or empty. */
  token?: string;
  /** From this host when omitted. */
  dialer?: Dialer;
  /** How long a request waits for its answer (a stream: for its head, unless it follows). */
  timeoutMs?: number;
}

export interface AgentAnswer {
  status: number;
  text: string;
}

export interface AgentStreamOptions {
  /** A followed log never ends, and its head may come only with its first line: no timeout. */
  follow?: boolean;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** An agent's HTTP API; paths start with `/v1/`. */
export class AgentClient {
  /** `https://127.0.0.1:4646`. */
  readonly base: string;

  constructor(readonly endpoint: AgentEndpoint) {
    if (endpoint.token && !endpoint.tokenHeader)
      throw new NomadLabError(`${endpoint.name}: a token needs the header it goes in`);
    this.base = `${endpoint.tls ? 'https' : 'http'}://${hostPort(endpoint.host, endpoint.port)}`;
  }

  /** The same agent, asked with another token (e.g. to learn whether the agent knows it). */
  withToken(token: string): AgentClient {
    return new AgentClient({ ...this.endpoint, token });
  }

  /** The HTTP status and body, whatever the status; HttpError when no answer came. */
  async request(method: string, path: string, body?: unknown): Promise<AgentAnswer> {
    const { tls, dialer = DIRECT, timeoutMs = DEFAULT_TIMEOUT_MS } = this.endpoint;
    const answer = await httpRequest(`${this.base}${path}`, {
      method,
      headers: this.headers(),
      tls,
      dialer,
      timeoutMs,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: answer.status, text: answer.body };
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** undefined where the agent answers 404 (no such job or allocation). */
  async find<T>(path: string): Promise<T | undefined> {
    const answer = await this.request('GET', path);
    return answer.status === 404 ? undefined : this.parse<T>('GET', path, answer);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  /** GET path, the body to `onData` as it comes; resolves at its end, or when `signal` aborts. */
  stream(path: string, onData: (chunk: Buffer) => void, options: AgentStreamOptions = {}): Promise<void> {
    const { tls, dialer = DIRECT, timeoutMs = DEFAULT_TIMEOUT_MS } = this.endpoint;
    return httpStream(`${this.base}${path}`, onData, {
      headers: this.headers(),
      tls,
      dialer,
      timeoutMs: options.follow ? undefined : timeoutMs,
      signal: options.signal,
    });
  }

  private headers(): Record<string, string> {
    const { token, tokenHeader } = this.endpoint;
    return token && tokenHeader ? { [tokenHeader]: token } : {};
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.parse<T>(method, path, await this.request(method, path, body));
  }

  /** A 2xx answer's JSON (undefined for an empty body); another status is an error that names the request. */
  private parse<T>(method: string, path: string, { status, text }: AgentAnswer): T {
    if (status < 200 || status >= 300)
      throw new NomadLabError(
        `${this.where()}${this.endpoint.name} ${method} ${path}: HTTP ${status}: ${tail(text, 5)}`,
      );
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (cause) {
      throw new NomadLabError(`${this.where()}${this.endpoint.name} ${method} ${path}: an answer that is not JSON`, {
        cause,
      });
    }
  }

  private where(): string {
    const from = this.endpoint.dialer?.from;
    return from === undefined ? '' : `[${from}] `;
  }
}
