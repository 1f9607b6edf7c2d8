import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { VerifyError } from '../errors.ts';
import { errorText, hostPort } from './describe.ts';
import { DIRECT, fromNode, type Dialer } from './dialer.ts';

/** A DNS server to ask, e.g. a node's Consul agent at `<lab address>:8600`. */
export interface DnsServer {
  address: string;
  port: number;
}

export interface DnsQuestion {
  name: string;
  type: RecordType;
}

export interface QueryOptions {
  /** How long each transport (UDP, then TCP on truncation) may take. */
  timeoutMs: number;
  /** UDP may drop a datagram: the query is sent again this often until the timeout. */
  retransmitMs?: number;
  /** Through a node's SSH session: TCP only (SSH forwards no datagrams), the connection opened by the node. */
  dialer?: Dialer;
}

export type Transport = 'udp' | 'tcp';

/** A decoded answer, with the additional section (Consul puts the A records of SRV targets there). */
export interface DnsResponse {
  server: DnsServer;
  question: DnsQuestion;
  /** `tcp` when the UDP answer was truncated and the query was repeated over TCP. */
  transport: Transport;
  /** `NOERROR`, `NXDOMAIN`, ... */
  rcode: string;
  answers: Answer[];
  additionals: Answer[];
}

/** EDNS0: Consul trims a plain 512-byte UDP answer (without TC unless `enable_truncate`), so ask for room. */
const UDP_PAYLOAD_SIZE = 4096;

/** `SRV whoami.service.consul from 10.77.0.11:8600`, for messages. */
export function describeQuery(server: DnsServer, question: DnsQuestion): string {
  return `${question.type} ${question.name} from ${formatServer(server)}`;
}

export function formatServer(server: DnsServer): string {
  return hostPort(server.address, server.port);
}

export function querySrv(server: DnsServer, name: string, options: QueryOptions): Promise<DnsResponse> {
  return query(server, { name, type: 'SRV' }, options);
}

export function queryA(server: DnsServer, name: string, options: QueryOptions): Promise<DnsResponse> {
  return query(server, { name, type: 'A' }, options);
}

/**
 * Asks over UDP and, when the answer comes back truncated (TC), again over TCP; throws VerifyError naming server and
 * question.
 */
export async function query(server: DnsServer, question: DnsQuestion, options: QueryOptions): Promise<DnsResponse> {
  const id = randomInt(0, 0x10000);
  const packet: Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: question.name, type: question.type, class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: UDP_PAYLOAD_SIZE,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ],
  };
  const what = describeQuery(server, question);
  const dialer = options.dialer ?? DIRECT;
  let decoded: DecodedPacket;
  let transport: Transport;
  if (dialer !== DIRECT) {
    [decoded, transport] = [
      await exchangeTcp(server, packet, `${what}${fromNode(dialer)}`, options, dialer, 'over TCP'),
      'tcp',
    ];
  } else {
    const udp = await exchangeUdp(server, packet, what, options);
    [decoded, transport] = udp.flag_tc
      ? [await exchangeTcp(server, packet, what, options, DIRECT, 'over TCP (after a truncated UDP answer)'), 'tcp']
      : [udp, 'udp'];
  }
  return {
    server,
    question,
    transport,
    rcode: (decoded as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR',
    answers: decoded.answers ?? [],
    additionals: (decoded.additionals ?? []).filter((a) => a.type !== 'OPT'),
  };
}

function exchangeUdp(server: DnsServer, packet: Packet, what: string, options: QueryOptions): Promise<DecodedPacket> {
  const message = dnsPacket.encode(packet);
  const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
  return new Promise<DecodedPacket>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no answer over UDP within ${options.timeoutMs} ms`), options.timeoutMs);
    let resend: NodeJS.Timeout | undefined;
    let settled = false;
    const done = () => {
      settled = true;
      clearTimeout(timer);
      clearInterval(resend);
      socket.close();
    };
    const fail = (reason: string, cause?: unknown) => {
      // A send callback or socket error can still arrive after the answer; the socket is closed by then.
      if (settled) return;
      done();
      reject(new VerifyError(what, reason, { cause }));
    };
    const send = () =>
      socket.send(message, (error) => error && fail(`cannot send over UDP (${errorText(error)})`, error));

    socket.on('error', (error) => fail(`UDP error ${errorText(error)}`, error));
    socket.on('message', (reply) => {
      const decoded = tryDecode(reply);
      // A late answer to an earlier query, or garbage: keep waiting for ours.
      if (settled || decoded?.type !== 'response' || decoded.id !== packet.id) return;
      done();
      resolve(decoded);
    });
    // A connected socket only hears from the server and learns of ICMP "port unreachable" as ECONNREFUSED.
    socket.connect(server.port, server.address, () => {
      send();
      resend = setInterval(send, options.retransmitMs ?? 1000);
    });
  });
}

function exchangeTcp(
  server: DnsServer,
  packet: Packet,
  what: string,
  options: QueryOptions,
  dialer: Dialer,
  how: string,
): Promise<DecodedPacket> {
  return new Promise<DecodedPacket>((resolve, reject) => {
    const abort = new AbortController();
    let socket: Duplex | undefined;
    let buffer = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => fail(`no answer ${how} within ${options.timeoutMs} ms`), options.timeoutMs);
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      abort.abort(new Error('settled'));
      socket?.destroy();
    };
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settle();
      reject(new VerifyError(what, reason, { cause }));
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
      let decoded: DecodedPacket;
      try {
        decoded = dnsPacket.streamDecode(buffer) as DecodedPacket;
      } catch (error) {
        fail(`a malformed answer over TCP (${errorText(error)})`, error);
        return;
      }
      if (decoded.id !== packet.id) {
        fail(`an answer over TCP to another query (id ${decoded.id}, not ${packet.id})`);
        return;
      }
      settle();
      resolve(decoded);
    };

    dialer.connect(server.address, server.port, abort.signal).then(
      (stream) => {
        socket = stream;
        if (settled) return void stream.destroy();
        stream.on('error', (error: Error) => fail(`TCP error ${errorText(error)}`, error));
        stream.on('close', () => fail('the TCP connection closed before a whole answer came'));
        stream.on('data', onData);
        stream.write(dnsPacket.streamEncode(packet));
      },
      (error: unknown) => fail(`TCP error ${errorText(error)}`, error),
    );
  });
}

function tryDecode(message: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(message);
  } catch {
    return undefined;
  }
}
