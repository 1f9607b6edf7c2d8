import { createServer, type RequestListener } from 'node:http';
import net, { type AddressInfo } from 'node:net';

// Real HTTP servers on loopback: a service instance, and Consul's health API.

export interface FakeHttp {
  address: string;
  port: number;
  paths: string[];
  close(): Promise<void>;
}

export async function startHttp(address: string, listener: RequestListener): Promise<FakeHttp> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    address,
    port: (server.address() as AddressInfo).port,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A service instance answering every path with `status`. */
export function startService(address: string, status: number): Promise<FakeHttp> {
  return startHttp(address, (_req, res) =>
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`),
  );
}

export interface CannedCheck {
  Node: string;
  Name: string;
  Status: 'passing' | 'warning' | 'critical';
  Output?: string;
}

/** Consul's `/v1/health/checks/<service>` and `/v1/health/service/<service>?passing` from canned checks. */
export function startConsulApi(address: string, checks: Record<string, readonly CannedCheck[]>): Promise<FakeHttp> {
  return startHttp(address, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://consul');
    const [, , , kind, service] = url.pathname.split('/');
    const mine = checks[service ?? ''] ?? [];
    let body: unknown;
    if (kind === 'checks') {
      body = mine.map((c, i) => ({
        ...c,
        CheckID: `service:${service}-${i}`,
        ServiceName: service,
        ServiceID: `${service}-${i}`,
      }));
    } else if (kind === 'service' && url.searchParams.has('passing')) {
      body = mine
        .filter((c) => c.Status === 'passing')
        .map((c) => ({ Node: { Node: c.Node }, Service: { Service: service }, Checks: [c] }));
    } else {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(address: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
