// pods/proxy, services/proxy and nodes/proxy: the API server as an HTTP proxy, as upstream's
// ProxyREST. The name may carry a scheme and port ([https:]NAME[:PORT]); the rest of the
// path after /proxy is the target path. Pods are reached at their IP, a Service at one of
// its ready endpoints, a node at its kubelet (with the API server's kubelet client
// certificate). Upgrade requests (WebSocket, SPDY) are passed through as well.
import http from 'node:http';
import https from 'node:https';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { endpoints as endpointsDef, nodes, pods, services } from '../../api/resources/core-v1.js';
import { proxyUpgrade } from '../../api/httpstream/upgrade-proxy.js';
import { forwardedHeaders } from '../../api/httpstream/upgrade-proxy.js';
import { newBadRequest, newInternalError, newServiceUnavailable } from '../../api/status/index.js';
import { type RequestContext } from './request-context.js';

interface Target { url: URL; tls?: { cert?: Buffer; key?: Buffer; ca?: Buffer; rejectUnauthorized: boolean } }

/** `[scheme:]name[:port]` as upstream's SplitSchemeNamePort reads it. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(':');
  if (parts.length === 1) return { scheme: '', name: parts[0], port: '' };
  if (parts.length === 2) return { scheme: '', name: parts[0], port: parts[1] };
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https')) return { scheme: parts[0], name: parts[1], port: parts[2] };
  throw newBadRequest(`invalid proxy name ${JSON.stringify(id)}`);
}

/** The path after …/NAME/proxy, and the query, for the target. */
function targetPath(ctx: RequestContext): string {
  const m = /\/proxy(\/.*)?$/.exec(ctx.url.pathname);
  return `${m?.[1] ?? '/'}${ctx.url.search}`;
}

async function podTarget(ctx: RequestContext, ns: string, id: { scheme: string; name: string; port: string }): Promise<Target> {
  const pod = await ctx.registry.get(pods, ns, id.name) as Pod;
  const ip = pod.status?.podIP;
  if (!ip) throw newBadRequest(`address not allowed`);
  const port = id.port || String(pod.spec?.containers?.[0]?.ports?.[0]?.containerPort ?? 80);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return { url: new URL(`${id.scheme || 'http'}://${host}:${port}${targetPath(ctx)}`), tls: { rejectUnauthorized: false } };
}

async function serviceTarget(ctx: RequestContext, ns: string, id: { scheme: string; name: string; port: string }): Promise<Target> {
  const svc = await ctx.registry.get(services, ns, id.name) as Service;
  const ports = svc.spec?.ports ?? [];
  const sp = id.port ? ports.find((p) => p.name === id.port || String(p.port) === id.port) : ports[0];
  if (!sp) throw newServiceUnavailable(`no endpoints available for service "${id.name}"`);
  const eps = await ctx.registry.get(endpointsDef, ns, id.name).catch(() => undefined) as Endpoints | undefined;
  for (const subset of eps?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => (sp.name ? p.name === sp.name : true));
    const addr = subset.addresses?.[0];
    if (port && addr) {
      const host = addr.ip.includes(':') ? `[${addr.ip}]` : addr.ip;
      return { url: new URL(`${id.scheme || 'http'}://${host}:${port.port}${targetPath(ctx)}`), tls: { rejectUnauthorized: false } };
    }
  }
  throw newServiceUnavailable(`no endpoints available for service "${id.name}"`);
}

async function nodeTarget(ctx: RequestContext, id: { name: string }): Promise<Target> {
  if (!ctx.kubelet) throw newServiceUnavailable('this API server has no kubelet client');
  const node = await ctx.registry.get(nodes, '', id.name) as Node;
  const url = ctx.kubelet.url(node, targetPath(ctx));
  const t = ctx.kubelet.dialTarget(url);
  return { url, tls: { cert: t.cert as Buffer, key: t.key as Buffer, ca: t.ca as Buffer, rejectUnauthorized: !!t.rejectUnauthorized } };
}

export async function serveProxy(ctx: RequestContext, ns: string): Promise<void> {
  const id = splitSchemeNamePort(ctx.info.name);
  const target = ctx.def === pods ? await podTarget(ctx, ns, id)
    : ctx.def === services ? await serviceTarget(ctx, ns, id)
      : await nodeTarget(ctx, id);
  if (ctx.upgrade) {
    ctx.res.detachSocket(ctx.upgrade.socket as import('node:net').Socket);
    return proxyUpgrade(ctx.req, ctx.upgrade.socket, ctx.upgrade.head, { url: target.url, ...target.tls });
  }
  const headers = forwardedHeaders(ctx.req);
  delete headers['accept-encoding'];
  await new Promise<void>((resolve, reject) => {
    const opts = { method: ctx.req.method, headers, agent: false as const, ...(target.url.protocol === 'https:' ? target.tls : {}) };
    const out = (target.url.protocol === 'https:' ? https : http).request(target.url, opts, (res) => {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive') h[k] = v;
      ctx.res.writeHead(res.statusCode ?? 502, h);
      res.pipe(ctx.res);
      res.once('end', resolve);
      res.once('error', resolve);
    });
    out.on('error', (err) => reject(newInternalError(`error trying to reach service: ${err.message}`)));
    ctx.req.pipe(out);
  });
}
