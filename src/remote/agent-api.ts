import { NomadLabError, tail } from '../errors.ts';
import { script, type Command } from './quote.ts';
import type { ExecOptions, Remote } from './remote.ts';

/** The header each agent reads its ACL token from. */
export const TOKEN_HEADER = { consul: 'X-Consul-Token', nomad: 'X-Nomad-Token' } as const;

/**
 * What of the lab's `security` reaching an agent takes: the management tokens, and whether TLS is on (the node has the
 * files).
 */
export interface AgentSecurity {
  acl?: { consulManagement: string; nomadManagement: string };
  tls?: object;
}

/**
 * How a node's own agent is reached on the node itself: plain HTTP, or HTTPS with the node's certificate; a token or
 * none.
 */
export interface AgentAccess {
  product: 'Consul' | 'Nomad';
  base: string;
  tokenHeader: string;
  token?: string;
  /** curl's TLS arguments: the lab CA and the node's certificate, which the agents accept as a client's. */
  curlTls: string[];
}

const tlsFiles = (dir: string) => ({ ca: `${dir}/tls-ca.pem`, cert: `${dir}/tls-cert.pem`, key: `${dir}/tls-key.pem` });
const curlTls = (dir: string) => {
  const f = tlsFiles(dir);
  return ['--cacert', f.ca, '--cert', f.cert, '--key', f.key];
};

const AGENTS = {
  Nomad: {
    http: 'http://127.0.0.1:4646',
    https: 'https://127.0.0.1:4646',
    header: TOKEN_HEADER.nomad,
    dir: '/etc/nomad.d',
    token: 'nomadManagement',
  },
  Consul: {
    http: 'http://127.0.0.1:8500',
    https: 'https://127.0.0.1:8501',
    header: TOKEN_HEADER.consul,
    dir: '/etc/consul.d',
    token: 'consulManagement',
  },
} as const;

/**
 * How nomad-lab reaches a node's own Consul or Nomad: with the lab's management token and the node's certificate when
 * it has them.
 */
export function agentAccess(product: 'Consul' | 'Nomad', security: AgentSecurity = {}): AgentAccess {
  const agent = AGENTS[product];
  return {
    product,
    base: security.tls ? agent.https : agent.http,
    tokenHeader: agent.header,
    ...(security.acl ? { token: security.acl[agent.token] } : {}),
    curlTls: security.tls ? curlTls(agent.dir) : [],
  };
}

export const nomadAccess = (security?: AgentSecurity): AgentAccess => agentAccess('Nomad', security);
export const consulAccess = (security?: AgentSecurity): AgentAccess => agentAccess('Consul', security);

// The token comes first on stdin and reaches curl as a header file (never an argument: no `ps`, no error
// message shows it); the request body follows it on stdin.
const CURL =
  `method=$1 url=$2 header=$3; shift 3
IFS= read -r token
curl -sS -X "$method" -H "Content-Type: application/json" -H @/dev/fd/3 --data-binary @- -w "\\n%{http_code}" ` +
  `"$@" "$url" 3<<EOF
$header: $token
EOF`;

/** An agent's HTTP API as seen from a node (through its SSH session), so it works wherever SSH does. */
export class AgentApi {
  constructor(
    protected readonly remote: Remote,
    private readonly access: AgentAccess,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
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

  /** The HTTP status and body, whatever the status. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const { access } = this;
    const result = await this.remote.run(
      script(
        CURL,
        [method, `${access.base}${path}`, access.tokenHeader, ...access.curlTls],
        `${method} ${path} (${access.product} API)`,
      ),
      {
        stdin: `${access.token ?? ''}\n${body === undefined ? '' : JSON.stringify(body)}`,
        sudo: access.curlTls.length > 0,
      },
    );
    const cut = result.stdout.lastIndexOf('\n');
    return { status: Number(result.stdout.slice(cut + 1)), text: result.stdout.slice(0, Math.max(cut, 0)) };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await this.request(method, path, body);
    if (status < 200 || status >= 300) {
      throw new NomadLabError(
        `[${this.remote.node}] ${this.access.product} API ${method} ${path}: HTTP ${status}: ${tail(text, 5)}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/**
 * The `consul` CLI on a node, with the lab's management token (on stdin, exported to the CLI's environment)
 * and, with TLS, Consul's HTTPS address and the node's certificate.
 */
export function consulCli(
  args: readonly string[],
  security: AgentSecurity = {},
): { command: Command; options: ExecOptions } {
  if (!security.acl && !security.tls) return { command: ['consul', ...args], options: {} };
  const f = tlsFiles('/etc/consul.d');
  const tls = security.tls
    ? `export CONSUL_HTTP_ADDR=https://127.0.0.1:8501 ` +
      `CONSUL_CACERT=${f.ca} CONSUL_CLIENT_CERT=${f.cert} CONSUL_CLIENT_KEY=${f.key}\n`
    : '';
  const token = security.acl ? 'IFS= read -r CONSUL_HTTP_TOKEN; export CONSUL_HTTP_TOKEN\n' : '';
  return {
    command: script(`${token}${tls}exec consul "$@"`, args, `consul ${args.join(' ')}`),
    options: {
      ...(security.acl ? { stdin: `${security.acl.consulManagement}\n` } : {}),
      ...(security.tls ? { sudo: true } : {}),
    },
  };
}
