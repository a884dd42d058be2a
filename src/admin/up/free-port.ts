// Picking loopback ports: the upstream default when it is free (so a lone cluster looks like
// the docs), otherwise whatever the kernel hands out.
import net from 'node:net';

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Ports handed out in this process, so two picks never return the same number. */
const handedOut = new Set<number>();

export async function pickPort(preferred: number | undefined, host = '127.0.0.1'): Promise<number> {
  if (preferred && !handedOut.has(preferred) && await portIsFree(preferred, host)) {
    handedOut.add(preferred);
    return preferred;
  }
  for (;;) {
    const p = await freePort(host);
    if (!handedOut.has(p)) {
      handedOut.add(p);
      return p;
    }
  }
}
