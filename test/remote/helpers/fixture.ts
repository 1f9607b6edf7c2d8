import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeEndpoint } from '../../../src/remote/endpoint.ts';
import { connect, type ConnectOptions, type Remote } from '../../../src/remote/index.ts';
import { generateKey, startServer, type KeyPair, type TestServer, type TestServerOptions } from './ssh-server.ts';

/** A client key on disk, a host key, and a place for known_hosts: what every test connects with. */
export interface Fixture {
  dir: string;
  clientKey: KeyPair;
  hostKey: KeyPair;
  keyPath: string;
  knownHosts: string;
  endpoint(port: number, overrides?: Partial<NodeEndpoint>): NodeEndpoint;
  server(options?: Partial<TestServerOptions>): Promise<TestServer>;
  connect(server: TestServer, overrides?: Partial<NodeEndpoint>, options?: Partial<ConnectOptions>): Promise<Remote>;
}

export function fixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'nomad-lab-remote-'));
  const clientKey = generateKey();
  const hostKey = generateKey();
  const keyPath = join(dir, 'id_ed25519');
  writeFileSync(keyPath, clientKey.private, { mode: 0o600 });
  const knownHosts = join(dir, 'state', 'known_hosts');
  const endpoint = (port: number, overrides: Partial<NodeEndpoint> = {}): NodeEndpoint => ({
    node: 'client1',
    host: '127.0.0.1',
    port,
    user: 'root',
    privateKeyPath: keyPath,
    labAddress: '10.0.0.11',
    ...overrides,
  });
  return {
    dir,
    clientKey,
    hostKey,
    keyPath,
    knownHosts,
    endpoint,
    server: (options = {}) => startServer({ hostKey, clientKey, ...options }),
    connect: (server, overrides, options) =>
      connect(endpoint(server.port, overrides), { knownHostsFile: knownHosts, deadlineMs: 5_000, ...options }),
  };
}
