// Plain HTTP on the client port, as etcd serves it: the v2 keys API (src/store/v2), /health,
// /version and /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLUSTER_VERSION, SERVER_VERSION } from './metrics.js';
import type { ServerContext } from './server-context.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;
export type V2Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** what /v2/members and the v2 store need to know about this member */
export interface V2Deps {
  store: ServerContext['store'];
  member: { id: bigint; name: string; peerURLs: string[]; clientURLs: string[] };
  clusterId: bigint;
  log: (line: string) => void;
}

/** loads createV2Handler from src/store/v2/v2-http.ts (a literal import, so the bundle carries it) */
export async function loadV2Handler(deps: V2Deps): Promise<V2Handler | undefined> {
  try {
    const mod = (await import('../v2/v2-http.js')) as { createV2Handler?: (d: V2Deps) => V2Handler | Promise<V2Handler> };
    return mod.createV2Handler ? await mod.createV2Handler(deps) : undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes('v2-http')) return undefined;
    throw err;
  }
}

function text(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function httpHandler(ctx: ServerContext, v2?: V2Handler): HttpHandler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    ctx.log.debug(`http ${req.method} ${req.url}`);
    try {
      if (path.startsWith('/v2/') && v2 && v2(req, res)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD' && (path === '/health' || path === '/version' || path === '/metrics')) {
        res.setHeader('Allow', 'GET, HEAD');
        return text(res, 405, 'Method Not Allowed');
      }
      if (path === '/health') {
        // etcd 3.4 answers {"health":"false"} with 503 while any alarm is active
        const healthy = ctx.alarms.list().length === 0;
        return text(res, healthy ? 200 : 503, JSON.stringify({ health: String(healthy) }));
      }
      if (path === '/version') {
        return text(res, 200, JSON.stringify({ etcdserver: SERVER_VERSION, etcdcluster: CLUSTER_VERSION }), 'application/json');
      }
      if (path === '/metrics') {
        ctx.metrics.registry.metrics().then(
          (body) => text(res, 200, body, ctx.metrics.registry.contentType),
          (err: unknown) => text(res, 500, String(err)),
        );
        return;
      }
      text(res, 404, '404 page not found\n');
    } catch (err) {
      ctx.log.error(`http ${req.method} ${req.url} failed: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) text(res, 500, 'internal server error\n');
      else res.destroy();
    }
  };
}
