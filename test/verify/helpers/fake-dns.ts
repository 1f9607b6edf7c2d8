import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';

// A real DNS server on loopback (UDP and TCP on one port), answering as a test tells it to.

export type Transport = 'udp' | 'tcp';

export interface Hit {
  transport: Transport;
  type: string;
  name: string;
}

/** What to answer: records and flags, or `silent` to drop the query. */
export type Reply =
  { answers?: Answer[]; additionals?: Answer[]; flags?: number; rcode?: 'NOERROR' | 'NXDOMAIN' } | 'silent';
export type Handler = (question: Question, transport: Transport) => Reply;

export interface FakeDns {
  address: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

/** Binds UDP then TCP at address:port (port 0: any free one, the same for both). */
export async function startDns(
  address: string,
  port: number,
  handler: Handler,
  options: { tcp?: boolean } = {},
): Promise<FakeDns> {
  const hits: Hit[] = [];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => resolve());
  });
  const bound = udp.address().port;
  udp.on('message', (message, peer) => {
    const reply = respond(message, 'udp', handler, hits);
    if (reply) udp.send(dnsPacket.encode(reply), peer.port, peer.address);
  });

  let tcp: net.Server | undefined;
  if (options.tcp !== false) {
    tcp = net.createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
        const reply = respond(buffer.subarray(2, 2 + buffer.readUInt16BE(0)), 'tcp', handler, hits);
        if (reply) socket.end(dnsPacket.streamEncode(reply));
      });
    });
    await new Promise<void>((resolve, reject) => {
      tcp!.once('error', (error) => {
        udp.close();
        reject(error);
      });
      tcp!.listen(bound, address, () => resolve());
    });
  }

  return {
    address,
    port: bound,
    hits,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function respond(message: Buffer, transport: Transport, handler: Handler, hits: Hit[]): Packet | undefined {
  const request = dnsPacket.decode(message);
  const question = request.questions![0]!;
  hits.push({ transport, type: question.type, name: question.name });
  const reply = handler(question, transport);
  if (reply === 'silent') return undefined;
  const rcodeBits = reply.rcode === 'NXDOMAIN' ? 3 : 0;
  return {
    type: 'response',
    id: request.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (reply.flags ?? 0) | rcodeBits,
    questions: [question],
    answers: reply.answers ?? [],
    additionals: reply.additionals ?? [],
  };
}

/** DNS servers at several loopback addresses sharing one port (the verifier asks every node at the same port). */
export async function startDnsNodes(
  addresses: readonly string[],
  handlerFor: (address: string) => Handler,
  options: { tcp?: boolean } = {},
): Promise<FakeDns[]> {
  for (let attempt = 0; ; attempt++) {
    const started: FakeDns[] = [];
    try {
      for (const address of addresses) {
        started.push(await startDns(address, started[0]?.port ?? 0, handlerFor(address), options));
      }
      return started;
    } catch (error) {
      await Promise.all(started.map((s) => s.close()));
      // Port 0 picked a port that is taken at another address or for TCP: try another.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw error;
    }
  }
}

export interface SrvTarget {
  /** Consul's target name, e.g. `7f000002.addr.dc1.consul`. */
  target: string;
  port: number;
  /** The A record for the target; undefined: none. */
  address?: string;
}

/**
 * Answers like Consul: SRV records with the targets' A records in the additional section, and A queries for targets.
 */
export function consulLike(
  records: Record<string, readonly SrvTarget[]>,
  options: { additionals?: boolean; truncateUdp?: boolean } = {},
): Handler {
  const aOf = (t: SrvTarget): Answer[] =>
    t.address ? [{ type: 'A', name: t.target, ttl: 0, class: 'IN', data: t.address }] : [];
  return (question, transport) => {
    if (question.type === 'SRV') {
      const targets = records[question.name];
      if (!targets) return { rcode: 'NXDOMAIN' };
      // Consul's UDP answer with enable_truncate: TC set and the records left for TCP.
      if (options.truncateUdp && transport === 'udp') return { flags: dnsPacket.TRUNCATED_RESPONSE };
      return {
        answers: targets.map((t) => ({
          type: 'SRV',
          name: question.name,
          ttl: 0,
          class: 'IN',
          data: { priority: 1, weight: 1, port: t.port, target: t.target },
        })),
        additionals: options.additionals === false ? [] : targets.flatMap(aOf),
      };
    }
    if (question.type === 'A') {
      const target = Object.values(records)
        .flat()
        .find((t) => t.target === question.name);
      return target ? { answers: aOf(target) } : { rcode: 'NXDOMAIN' };
    }
    return { rcode: 'NXDOMAIN' };
  };
}

/** Consul's name for a service address: the IPv4 address in hex under `.addr.<dc>.consul`. */
export function addrTarget(address: string): string {
  return `${address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('')}.addr.dc1.consul`;
}
