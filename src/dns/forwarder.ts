// Forwards names outside the cluster to the node's resolvers with a small cache that keeps
// each answer for its smallest TTL (capped), as CoreDNS's forward and cache plugins do: over
// the protocol the client used, retrying over TCP when a UDP answer comes back truncated,
// and with an EDNS0 OPT so that answers up to 1232 bytes fit in one datagram.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import * as dns from 'dns-packet';
import { optRecord } from './edns.js';

export interface Upstream { host: string; port: number }

/** `nameserver` lines of a resolv.conf. */
export function resolvConfUpstreams(file = '/etc/resolv.conf'): Upstream[] {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  return text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x).map((h) => ({ host: h, port: 53 }));
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`. */
export function parseUpstream(text: string): Upstream {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text) ?? [text, text, undefined];
  return { host: m[1], port: m[2] ? Number(m[2]) : 53 };
}

interface Entry { packet: dns.DecodedPacket; expires: number }

export class Forwarder {
  private readonly cache = new Map<string, Entry>();
  hits = 0;
  misses = 0;
  /** Queries sent upstream over TCP (after truncation or for TCP clients). */
  tcpQueries = 0;

  constructor(readonly upstreams: Upstream[], readonly maxTtl = 30, readonly maxEntries = 10_000, readonly timeoutMs = 2000) {}

  async resolve(q: dns.Question, id: number, flags: number, o: { tcp?: boolean } = {}): Promise<dns.DecodedPacket> {
    const key = `${q.name.toLowerCase()}|${q.type}|${q.class ?? 'IN'}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) {
      this.hits++;
      const left = Math.max(0, Math.ceil((hit.expires - now) / 1000));
      const age = (a: dns.Answer): dns.Answer => ('ttl' in a ? { ...a, ttl: Math.min(a.ttl ?? left, left) } : a);
      return { ...hit.packet, id, answers: hit.packet.answers?.map(age), authorities: hit.packet.authorities?.map(age), additionals: [] };
    }
    this.misses++;
    if (hit) this.cache.delete(key);
    const res = await this.ask({ type: 'query', id: (Math.random() * 65536) | 0, flags: flags & dns.RECURSION_DESIRED, questions: [q], additionals: [optRecord()] }, !!o.tcp);
    const ttls = [...(res.answers ?? []), ...(res.authorities ?? [])].map((a) => ('ttl' in a ? a.ttl ?? 0 : this.maxTtl));
    const ttl = Math.min(this.maxTtl, ...ttls);
    const rcode = (res.flags ?? 0) & 15; // 0 NOERROR, 3 NXDOMAIN: cacheable
    const truncated = ((res.flags ?? 0) & dns.TRUNCATED_RESPONSE) !== 0;
    if (ttl > 0 && (rcode === 0 || rcode === 3) && !truncated) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { packet: res, expires: now + ttl * 1000 });
    }
    return { ...res, id, additionals: [] };
  }

  /** Tries each upstream in turn; SERVFAIL (a throw) when none answers. */
  private async ask(query: dns.Packet, tcp: boolean): Promise<dns.DecodedPacket> {
    const buf = dns.encode(query);
    let last: Error = new Error('no upstream resolvers configured');
    for (const u of this.upstreams) {
      try {
        if (!tcp) {
          const res = await this.udp(u, buf, query.id ?? 0);
          if (!((res.flags ?? 0) & dns.TRUNCATED_RESPONSE)) return res;
        }
        this.tcpQueries++;
        return await this.tcp(u, buf, query.id ?? 0);
      } catch (e) { last = e as Error; }
    }
    throw last;
  }

  private udp(u: Upstream, buf: Buffer, id: number): Promise<dns.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket(u.host.includes(':') ? 'udp6' : 'udp4');
      const t = setTimeout(() => { sock.close(); reject(new Error(`upstream ${u.host}:${u.port} timed out`)); }, this.timeoutMs);
      sock.on('message', (msg) => {
        let p: dns.DecodedPacket;
        try { p = dns.decode(msg); } catch { return; }
        if (p.id !== id) return;
        clearTimeout(t);
        sock.close();
        resolve(p);
      });
      sock.on('error', (e) => { clearTimeout(t); sock.close(); reject(e); });
      sock.send(buf, u.port, u.host);
    });
  }

  private tcp(u: Upstream, buf: Buffer, id: number): Promise<dns.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(u.port, u.host);
      let got = Buffer.alloc(0);
      const fail = (e: Error): void => { clearTimeout(t); sock.destroy(); reject(e); };
      const t = setTimeout(() => fail(new Error(`upstream ${u.host}:${u.port} (tcp) timed out`)), this.timeoutMs);
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(buf.length);
        sock.write(Buffer.concat([len, buf]));
      });
      sock.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
        let p: dns.DecodedPacket;
        try { p = dns.decode(got.subarray(2, 2 + got.readUInt16BE(0))); } catch (e) { fail(e as Error); return; }
        if (p.id !== id) { fail(new Error(`upstream ${u.host}:${u.port} answered another query`)); return; }
        clearTimeout(t);
        sock.destroy();
        resolve(p);
      });
      sock.on('error', fail);
      sock.on('close', () => fail(new Error(`upstream ${u.host}:${u.port} closed the TCP connection`)));
    });
  }
}
