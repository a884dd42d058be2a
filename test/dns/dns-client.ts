// A DNS client for tests (dns-packet over UDP or TCP to loopback).
import dgram from 'node:dgram';
import net from 'node:net';
import * as dns from 'dns-packet';

export type Reply = dns.DecodedPacket & { rcode?: string };

/** One UDP query; `o.edns` adds an OPT record with that buffer size (and `o.ednsVersion`). */
export function queryUdp(port: number, name: string, type: dns.RecordType, host = '127.0.0.1', o: { edns?: number; ednsVersion?: number } = {}): Promise<Reply & { size: number }> {
  const id = (Math.random() * 65535) | 0;
  const sock = dgram.createSocket('udp4');
  const additionals = o.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: o.edns, ednsVersion: o.ednsVersion ?? 0, flags: 0, options: [] } as unknown as dns.Answer] : [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { sock.close(); reject(new Error(`no UDP answer for ${name}`)); }, 3000);
    sock.on('message', (m) => {
      clearTimeout(t);
      sock.close();
      if (m.readUInt16BE(0) !== id) reject(new Error(`answer for ${name} has id ${m.readUInt16BE(0)}, the query ${id}`));
      else resolve({ ...(dns.decode(m) as Reply), size: m.length });
    });
    sock.send(dns.encode({ type: 'query', id, flags: dns.RECURSION_DESIRED, questions: [{ type, name }], additionals }), port, host);
  });
}

export function queryTcp(port: number, name: string, type: dns.RecordType, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => { sock.destroy(); reject(new Error(`no TCP answer for ${name}`)); }, 3000);
    sock.on('connect', () => sock.write(dns.streamEncode({ type: 'query', id: 7, flags: dns.RECURSION_DESIRED, questions: [{ type, name }] })));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(t); sock.destroy(); resolve(dns.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply); }
    });
    sock.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

/** Thirty A records for big.test: about 700 bytes, more than a classic 512-byte datagram. */
const BIG = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);

/**
 * A stand-in upstream resolver on loopback, UDP and TCP on one port: `example.test` A
 * 192.0.2.1 (TTL 60); `big.test` 30 A records, answered truncated (TC, no records) over UDP
 * as a resolver does when they do not fit; NXDOMAIN otherwise.
 */
export async function fakeUpstream(): Promise<{ port: number; queries: () => number; tcpQueries: () => number; close: () => void }> {
  let n = 0;
  let tcpN = 0;
  const answer = (m: Buffer, tcp: boolean): Buffer => {
    n++;
    const q = dns.decode(m);
    const name = q.questions?.[0]?.name ?? '';
    const known = name === 'example.test' || name === 'big.test';
    const answers: dns.Answer[] = name === 'big.test' ? BIG.map((ip) => ({ type: 'A', name, ttl: 60, class: 'IN', data: ip })) : known ? [{ type: 'A', name, ttl: 60, class: 'IN', data: '192.0.2.1' }] : [];
    const truncate = name === 'big.test' && !tcp;
    return dns.encode({
      type: 'response', id: q.id, flags: dns.RECURSION_AVAILABLE | (known ? 0 : 3) | (truncate ? dns.TRUNCATED_RESPONSE : 0), questions: q.questions,
      answers: truncate ? [] : answers,
    });
  };
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m, r) => sock.send(answer(m, false), r.port, r.address));
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  const port = sock.address().port;
  const tcp = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        tcpN++;
        const out = answer(msg, true);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        c.write(Buffer.concat([len, out]));
      }
    });
    c.on('error', () => c.destroy());
  });
  await new Promise<void>((res) => tcp.listen(port, '127.0.0.1', () => res()));
  return { port, queries: () => n, tcpQueries: () => tcpN, close: () => { sock.close(); tcp.close(); } };
}
