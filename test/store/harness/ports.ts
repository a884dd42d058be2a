// Free loopback ports: ask the kernel for an ephemeral port, then release it. Another
// process could grab it in between, but the window is tiny and each test run uses its own.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port from listen(0)'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

/** n distinct free ports (distinct even if the kernel hands the same one out twice). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
