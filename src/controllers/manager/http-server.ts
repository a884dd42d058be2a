// The manager's own endpoint on --bind-address:--secure-port: /healthz (and /livez,
// /readyz, /healthz/leaderElection) and /metrics in Prometheus text. HTTPS and authn/authz
// wrap it in client/serving/secure-server.ts.
import type http from 'node:http';
import type { ControllerMetrics } from './metrics.js';

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function managerHandler(metrics: ControllerMetrics, state: { leading(): boolean; controllers(): string[] }): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/healthz': case '/livez': case '/readyz': case '/healthz/ping': case '/healthz/leaderElection':
          return send(res, 200, 'text/plain; charset=utf-8', 'ok');
        case '/metrics':
          return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
        case '/debug/controllers':
          return send(res, 200, 'application/json', JSON.stringify({ leading: state.leading(), controllers: state.controllers() }) + '\n');
        default:
          return send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      }
    })().catch((err) => send(res, 500, 'text/plain', String(err)));
  };
}
