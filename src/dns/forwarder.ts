// Forwards names outside the cluster to the node's resolvers over UDP, with a small cache
// that keeps each answer for its smallest TTL (capped), as CoreDNS's cache plugin does.
import dgram from 'node:dgram';
import fs from 'node:fs';
import * as dns from 'dns-packet';

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

  constructor(readonly upstreams: Upstream[], readonly maxTtl = 30, readonly maxEntries = 10_000, readonly timeoutMs = 2000) {}

  async resolve(q: dns.Question, id: number, flags: number): Promise<dns.Packet> {
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
    const res = await this.ask({ type: 'query', id: (Math.random() * 65536) | 0, flags: flags & dns.RECURSION_DESIRED, questions: [q] });
    const ttls = [...(res.answers ?? []), ...(res.authorities ?? [])].map((a) => ('ttl' in a ? a.ttl ?? 0 : this.maxTtl));
    const ttl = Math.min(this.maxTtl, ...ttls);
    const rcode = (res.flags ?? 0) & 15; // 0 NOERROR, 3 NXDOMAIN: cacheable
    if (ttl > 0 && (rcode === 0 || rcode === 3)) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { packet: res, expires: now + ttl * 1000 });
    }
    return { ...res, id, additionals: [] };
  }

  /** Tries each upstream in turn; SERVFAIL when none answers. */
  private async ask(query: dns.Packet): Promise<dns.DecodedPacket> {
    const buf = dns.encode(query);
    let last: Error = new Error('no upstream resolvers configured');
    for (const u of this.upstreams) {
      try { return await this.once(u, buf, query.id ?? 0); } catch (e) { last = e as Error; }
    }
    throw last;
  }

  private once(u: Upstream, buf: Buffer, id: number): Promise<dns.DecodedPacket> {
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
}
