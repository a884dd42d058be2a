// A DNS client for tests (dns-packet over UDP or TCP to loopback).
import dgram from 'node:dgram';
import net from 'node:net';
import * as dns from 'dns-packet';

export type Reply = dns.DecodedPacket & { rcode?: string };

export function queryUdp(port: number, name: string, type: dns.RecordType, host = '127.0.0.1'): Promise<Reply> {
  const id = (Math.random() * 65535) | 0;
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { sock.close(); reject(new Error(`no UDP answer for ${name}`)); }, 3000);
    sock.on('message', (m) => { clearTimeout(t); sock.close(); resolve(dns.decode(m) as Reply); });
    sock.send(dns.encode({ type: 'query', id, flags: dns.RECURSION_DESIRED, questions: [{ type, name }] }), port, host);
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

/** A stand-in upstream resolver on loopback: `example.test` A 192.0.2.1 (TTL 60), NXDOMAIN otherwise. */
export async function fakeUpstream(): Promise<{ port: number; queries: () => number; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', (m, r) => {
    n++;
    const q = dns.decode(m);
    const name = q.questions?.[0]?.name ?? '';
    const known = name === 'example.test';
    sock.send(dns.encode({
      type: 'response', id: q.id, flags: dns.RECURSION_AVAILABLE | (known ? 0 : 3), questions: q.questions,
      answers: known ? [{ type: 'A', name, ttl: 60, class: 'IN', data: '192.0.2.1' }] : [],
    }), r.port, r.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  return { port: sock.address().port, queries: () => n, close: () => sock.close() };
}
