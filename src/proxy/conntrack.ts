// Clears stale UDP conntrack entries after a sync. A UDP "connection" lives in conntrack as
// long as packets keep coming, and its NAT binding with it: without this, a client that
// keeps sending to a ClusterIP keeps reaching an endpoint that was removed (or, for a
// Service that had no endpoints, keeps missing the new ones). Like upstream's reconciler
// (pkg/proxy/conntrack), every UDP entry addressed to a Service IP:port or a NodePort whose
// NAT target is not one of that port's ready endpoints is deleted, with the `conntrack` tool.
import { spawn } from 'node:child_process';
import type { ServicePort } from './service-port.js';

export interface UdpEntry { origSrc: string; origDst: string; sport: number; dport: number; replySrc: string; replySport: number }

/** Parses `conntrack -L -p udp` lines (original tuple first, reply tuple second). */
export function parseConntrack(text: string): UdpEntry[] {
  const out: UdpEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('udp')) continue;
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]);
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]);
    const sport = [...line.matchAll(/\bsport=(\d+)/g)].map((m) => Number(m[1]));
    const dport = [...line.matchAll(/\bdport=(\d+)/g)].map((m) => Number(m[1]));
    if (src.length < 2 || dst.length < 1 || sport.length < 2 || dport.length < 1) continue;
    out.push({ origSrc: src[0], origDst: dst[0], sport: sport[0], dport: dport[0], replySrc: src[1], replySport: sport[1] });
  }
  return out;
}

export interface Deletion { origDst: string; dport: number; replySrc: string }

/** Entries to delete: grouped by (destination, port, NAT target). */
export function staleUdpEntries(entries: UdpEntry[], ports: ServicePort[]): Deletion[] {
  const byIPPort = new Map<string, ServicePort>();
  const byNodePort = new Map<number, ServicePort>();
  for (const sp of ports) {
    if (sp.protocol !== 'UDP') continue;
    byIPPort.set(`${sp.clusterIP}:${sp.port}`, sp);
    for (const ip of sp.externalIPs) byIPPort.set(`${ip}:${sp.port}`, sp);
    if (sp.nodePort !== undefined) byNodePort.set(sp.nodePort, sp);
  }
  const out = new Map<string, Deletion>();
  for (const e of entries) {
    const sp = byIPPort.get(`${e.origDst}:${e.dport}`) ?? byNodePort.get(e.dport);
    if (!sp) continue;
    const natted = e.replySrc !== e.origDst;
    // a NodePort entry that was never NATed is someone else's traffic to that port
    if (!natted && !byIPPort.has(`${e.origDst}:${e.dport}`)) continue;
    const ready = sp.endpoints.some((ep) => ep.ready && ep.ip === e.replySrc && ep.port === e.replySport);
    if (natted && ready) continue;
    // not NATed to a Service IP (it had no endpoints then) or NATed to an endpoint that is gone
    if (!natted && !sp.endpoints.some((ep) => ep.ready)) continue;
    const d = { origDst: e.origDst, dport: e.dport, replySrc: e.replySrc };
    out.set(`${d.origDst}|${d.dport}|${d.replySrc}`, d);
  }
  return [...out.values()];
}

export class Conntrack {
  constructor(readonly prefix: string[] = [], readonly bin = 'conntrack') {}

  private run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const argv = [...this.prefix, this.bin, ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', (e) => reject(new Error(`${this.bin}: ${e.message} (is the conntrack package installed?)`)));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr }));
    });
  }

  async listUdp(): Promise<UdpEntry[]> {
    const r = await this.run(['-L', '-p', 'udp']);
    if (r.code !== 0) throw new Error(`conntrack -L failed (${r.code}): ${r.stderr.trim()}`);
    return parseConntrack(r.stdout);
  }

  /** Deletes matching entries; "0 flow entries" (exit 1) is not an error: they may have expired. */
  async delete(d: Deletion): Promise<void> {
    const r = await this.run(['-D', '-p', 'udp', '--orig-dst', d.origDst, '--orig-port-dst', String(d.dport), '--reply-src', d.replySrc]);
    if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) throw new Error(`conntrack -D failed (${r.code}): ${r.stderr.trim()}`);
  }
}

/** Runs after syncs, but lists conntrack only when UDP Service ports changed (by object identity). */
export class UdpConntrackCleaner {
  private last: ServicePort[] | undefined;

  constructor(readonly ct: Conntrack, readonly log: (l: string) => void) {}

  async afterSync(ports: ServicePort[]): Promise<number> {
    const udp = ports.filter((p) => p.protocol === 'UDP');
    if (this.last && this.last.length === udp.length && this.last.every((p, i) => p === udp[i])) return 0;
    const stale = udp.length ? staleUdpEntries(await this.ct.listUdp(), udp) : [];
    for (const d of stale) await this.ct.delete(d);
    this.last = udp;
    if (stale.length) this.log(`proxy: deleted stale UDP conntrack entries: ${stale.map((d) => `${d.origDst}:${d.dport} → ${d.replySrc}`).join(', ')}`);
    return stale.length;
  }
}
