// A registry mirror on the host's loopback (`--registry-mirror docker.io=http://127.0.0.1:5000`)
// is out of reach of a worker whose containerd lives in a network namespace of its own: its
// 127.0.0.1 is its own. So `up` relays such ports: a listener on the worker's 127.0.0.1:PORT
// (a small process inside the worker's namespace) hands each connection over a unix socket —
// files know no network namespaces — to `up`, which connects it to the host's 127.0.0.1:PORT.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inBundle, packageRoot } from '../../api/package-root.js';

/** Loopback ports named by mirror endpoints (http(s)://127.0.0.1:P or localhost:P). */
export function loopbackPorts(mirrors: Record<string, string[]>): number[] {
  const ports = new Set<number>();
  for (const e of Object.values(mirrors).flat()) {
    let u: URL;
    try { u = new URL(e); } catch { continue; }
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') continue;
    ports.add(Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
  }
  return [...ports].sort((a, b) => a - b);
}

const pipe = (a: net.Socket, b: net.Socket): void => {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
};

/** The host end, in `up`: connections on the unix socket go to 127.0.0.1:port. */
export function relayHostEnd(socketPath: string, port: number): Promise<net.Server> {
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((c) => pipe(c, net.connect(port, '127.0.0.1')));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

/** The worker end's command line: run it inside the worker's namespace. */
export function relayWorkerArgv(port: number, socketPath: string): string[] {
  const self = inBundle(import.meta.url) ? path.join(packageRoot(), 'dist/src/admin/up/loopback-relay.js') : fileURLToPath(import.meta.url);
  return [process.execPath, self, String(port), socketPath];
}

function workerEnd(port: number, socketPath: string): void {
  const server = net.createServer((c) => pipe(c, net.connect(socketPath)));
  server.on('error', (err) => { process.stderr.write(`loopback relay 127.0.0.1:${port}: ${err.message}\n`); process.exit(1); });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`relaying 127.0.0.1:${port} to ${socketPath}\n`));
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  workerEnd(Number(process.argv[2]), process.argv[3]);
}
