// The kubelet's HTTPS server (--port, 10250): /healthz, /metrics, /pods and
// /containerLogs/NS/POD/CONTAINER, which the API server's pods/log will proxy to; and the
// plain-HTTP /healthz on --healthz-port (10248, localhost). Exec, attach and port-forward
// are the CRI issue's.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../client/index.js';
import { logFile, parseLogQuery, serveLogs } from './container-logs.js';

export interface ServerSource {
  rootDir: string;
  /** Every pod the process's kubelets run (static pods included). */
  pods(): Pod[];
  metrics(): string;
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function handler(src: ServerSource) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const p = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
    if (p === '/healthz' || p === '/healthz/ping' || p === '/healthz/syncloop') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
    if (p === '/metrics') { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(src.metrics()); return; }
    if (p === '/pods' || p === '/pods/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: src.pods() }));
      return;
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(p);
    if (m) {
      const [ns, name, container] = m.slice(1).map(decodeURIComponent);
      const pod = src.pods().find((x) => x.metadata?.namespace === ns && x.metadata?.name === name);
      if (!pod) return status(res, 404, 'NotFound', `pod "${name}" not found`);
      const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
      if (!all.some((c) => c.name === container)) return status(res, 400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
      let q;
      try { q = parseLogQuery(url.searchParams); } catch (err) { return status(res, 400, 'BadRequest', (err as Error).message); }
      const file = logFile(src.rootDir, pod, container, q.previous);
      if (typeof file !== 'string') return status(res, 400, 'BadRequest', file.error);
      const running = () => {
        const cur = src.pods().find((x) => x.metadata?.uid === pod.metadata?.uid);
        const cs = [...(cur?.status?.containerStatuses ?? []), ...(cur?.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
        return !!cs?.state?.running;
      };
      return serveLogs(res, file, q, running);
    }
    status(res, 404, 'NotFound', `the server could not find the requested resource (${p})`);
  };
}

export interface RunningServers { port: number; healthzPort: number; close(): Promise<void> }

const listen = (srv: net.Server, port: number, host: string): Promise<number> => new Promise((resolve, reject) => {
  srv.once('error', reject);
  srv.listen(port, host, () => resolve((srv.address() as net.AddressInfo).port));
});

export async function startKubeletServer(src: ServerSource, o: { address: string; port: number; healthzAddress: string; healthzPort: number; cert: string; key: string; log: Logger }): Promise<RunningServers> {
  const h = handler(src);
  const main = https.createServer({ cert: o.cert, key: o.key }, h);
  const health = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
    res.writeHead(404); res.end('404 page not found\n');
  });
  const port = await listen(main, o.port, o.address);
  let healthzPort = 0;
  if (o.healthzPort >= 0) healthzPort = await listen(health, o.healthzPort, o.healthzAddress);
  o.log(`kubelet: serving on https://${o.address}:${port}, healthz on http://${o.healthzAddress}:${healthzPort}/healthz`);
  return {
    port, healthzPort,
    close: async () => {
      main.closeAllConnections();
      health.closeAllConnections();
      await Promise.all([new Promise((r) => main.close(r)), new Promise((r) => (health.listening ? health.close(r) : r(undefined)))]);
    },
  };
}
