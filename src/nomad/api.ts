import { NomadLabError, tail } from '../errors.ts';
import { script } from '../remote/quote.ts';
import type { Remote } from '../remote/remote.ts';

const BASE = 'http://127.0.0.1:4646';

/** Nomad's HTTP API as seen from a server node (through its SSH session), so it works wherever SSH does. */
export class NomadApi {
  constructor(private readonly remote: Remote) {}

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

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // The body goes through stdin: a job can be large, and no value reaches the command line.
    const result = await this.remote.run(
      script('curl -sS -X "$1" -H "Content-Type: application/json" --data-binary @- -w "\\n%{http_code}" "$2"', [method, `${BASE}${path}`], `${method} ${path} (Nomad API)`),
      { stdin: body === undefined ? '' : JSON.stringify(body) },
    );
    const cut = result.stdout.lastIndexOf('\n');
    const status = Number(result.stdout.slice(cut + 1));
    const text = result.stdout.slice(0, Math.max(cut, 0));
    if (status < 200 || status >= 300) {
      throw new NomadLabError(`[${this.remote.node}] Nomad API ${method} ${path}: HTTP ${status}: ${tail(text, 5)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
