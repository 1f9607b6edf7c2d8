import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Remote } from './remote.ts';

/** Which way a connection travels: from this host to the lab addresses, or through a node's SSH session. */
export type Via = 'direct' | 'ssh';

/** Opens TCP connections for DNS queries, probes and agents' API calls: from here, or from a node. */
export interface Dialer {
  readonly via: Via;
  /** The node the connections start from, when not this host. */
  readonly from?: string;
  /**
   * A connected stream to host:port; rejects with the reason it could not connect. An abort destroys what is half open.
   */
  connect(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
}

/** ` from client1`, for a subject like `TCP connect to 10.77.0.11:80 from client1`. */
export function fromNode(dialer: Dialer): string {
  return dialer.from === undefined ? '' : ` from ${dialer.from}`;
}

/** A TCP connection from this host. */
export const DIRECT: Dialer = {
  via: 'direct',
  connect: (host, port, signal) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const abort = () => {
        socket.destroy();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', abort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', abort);
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      });
    }),
};

/**
 * Connections the node opens itself (SSH direct-tcpip): lab addresses this host cannot reach are reached from the node.
 */
export function sshDialer(remote: Pick<Remote, 'node' | 'forward'>): Dialer {
  return {
    via: 'ssh',
    from: remote.node,
    connect: async (host, port, signal) => {
      const stream = await remote.forward(host, port);
      // A channel that opens after the caller gave up is closed at once, not left to the session.
      if (signal.aborted) {
        stream.destroy();
        throw signal.reason as Error;
      }
      return stream;
    },
  };
}

/** A dialer whose every connection fails with `reason`, e.g. for a node whose SSH session could not be opened. */
export function failingDialer(via: Via, from: string, reason: string): Dialer {
  return { via, from, connect: () => Promise.reject(new Error(reason)) };
}
