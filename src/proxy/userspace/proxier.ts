// The userspace proxier, for hosts where iptables cannot be programmed: this process
// accepts TCP connections itself (on each NodePort, and on a Service's ClusterIP:port when
// that address is assigned locally) and pipes them to a ready endpoint, round robin.
import net from 'node:net';
import type { ServicePort } from '../service-port.js';

interface Listener { server: net.Server; sp: ServicePort; next: number }

export class UserspaceProxier {
  private readonly listeners = new Map<string, Listener>();

  constructor(readonly bindAddress: string, readonly log: (line: string) => void) {}

  /** The addresses this proxier listens on (`ip:port` → service port key). */
  addresses(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [addr, l] of this.listeners) out.set(addr, l.sp.key);
    return out;
  }

  async sync(ports: ServicePort[]): Promise<void> {
    const want = new Map<string, ServicePort>();
    for (const sp of ports) {
      if (sp.protocol !== 'TCP') continue;
      want.set(`${sp.clusterIP}:${sp.port}`, sp);
      if (sp.nodePort) want.set(`${this.bindAddress}:${sp.nodePort}`, sp);
    }
    for (const [addr, l] of this.listeners) {
      if (!want.has(addr)) { l.server.close(); this.listeners.delete(addr); }
    }
    for (const [addr, sp] of want) {
      const have = this.listeners.get(addr);
      if (have) { have.sp = sp; continue; }
      const i = addr.lastIndexOf(':');
      const l: Listener = { server: net.createServer((c) => this.forward(l, c)), sp, next: 0 };
      const ok = await new Promise<boolean>((resolve) => {
        l.server.once('error', () => resolve(false));
        l.server.listen(Number(addr.slice(i + 1)), addr.slice(0, i), () => resolve(true));
      });
      // a ClusterIP that is not a local address cannot be bound; that Service is then reachable by NodePort only
      if (ok) this.listeners.set(addr, l);
    }
  }

  private forward(l: Listener, client: net.Socket): void {
    const eps = l.sp.endpoints.filter((e) => e.ready && (!l.sp.internalLocal || e.local));
    if (eps.length === 0) { client.resetAndDestroy(); return; }
    const ep = eps[l.next++ % eps.length];
    const upstream = net.connect(ep.port, ep.ip);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    this.listeners.clear();
  }
}
