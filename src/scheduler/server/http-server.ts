// What the scheduler's secure port serves: /healthz (and /livez, /readyz), /metrics in
// Prometheus text, and /debug/explain?pod=NS/NAME with the last decision for a pod.
// HTTPS and authn/authz wrap it in client/serving/secure-server.ts.
import type http from 'node:http';
import type { Scheduler } from '../scheduler.js';

export interface ServerState {
  scheduler: () => Scheduler | undefined;
  /** Leader election state for /healthz/leaderElection and the explain answer. */
  leading: () => boolean;
}

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function schedulerHandler(state: ServerState): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const s = state.scheduler();
      switch (url.pathname) {
        case '/healthz': case '/livez': case '/readyz': case '/healthz/ping':
          return send(res, 200, 'text/plain; charset=utf-8', 'ok');
        case '/metrics': {
          if (!s) return send(res, 200, 'text/plain; version=0.0.4', '');
          return send(res, 200, s.metrics.registry.contentType, await s.metrics.registry.metrics());
        }
        case '/debug/explain': {
          const key = url.searchParams.get('pod') ?? '';
          if (!/^[^/]+\/[^/]+$/.test(key)) return send(res, 400, 'application/json', JSON.stringify({ error: 'pod must be given as NAMESPACE/NAME' }) + '\n');
          const ex = s?.explain.explain(key);
          if (!ex) {
            const pending = s?.queue.pending().find((p) => p.key === key);
            const why = pending ? `pod is in the ${pending.queue} queue${pending.pod.gatedReason ? ` (${pending.pod.gatedReason})` : ''} and has not been tried yet`
              : state.leading() ? 'no scheduling decision recorded for this pod' : 'this scheduler is not the leader';
            return send(res, 404, 'application/json', JSON.stringify({ pod: key, error: why }) + '\n');
          }
          return send(res, 200, 'application/json', JSON.stringify(ex, null, 2) + '\n');
        }
        default:
          return send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      }
    })().catch((err) => send(res, 500, 'text/plain', String(err)));
  };
}
