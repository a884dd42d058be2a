// How the aggregator talks to an extension API server: TLS verified against the APIService's
// caBundle with server name SERVICE.NAMESPACE.svc (or not verified with
// insecureSkipTLSVerify), the front-proxy client certificate (--proxy-client-cert-file), and
// the caller named in X-Remote-User / X-Remote-Group / X-Remote-Extra-* — the header names
// upstream's aggregator always sends, whatever the --requestheader-* flags say.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { UserInfo } from '../authn/user-info.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import type { APIService } from './apiservice-index.js';
import type { Endpoint } from './service-resolver.js';

/** Hop-by-hop headers (RFC 7230 6.1) and the caller's own credentials never reach the backend. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'authorization', 'host']);

export function tlsOptions(s: APIService, ep: Endpoint, client: ProxyClientCert | undefined): https.RequestOptions {
  const svc = s.spec.service!;
  const ca = s.spec.caBundle ? Buffer.from(s.spec.caBundle, 'base64').toString('utf8') : undefined;
  return {
    host: ep.host, port: ep.port, servername: `${svc.name}.${svc.namespace}.svc`,
    ...(ca ? { ca } : {}), rejectUnauthorized: !s.spec.insecureSkipTLSVerify,
    ...(client ? { cert: client.cert, key: client.key } : {}),
    agent: false,
  };
}

/** The request headers for the backend: the caller's, minus credentials and hop-by-hop ones, plus the identity headers. */
export function backendHeaders(incoming: IncomingHttpHeaders, user: UserInfo, upgrade: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || DROPPED.has(k) || k.startsWith('impersonate-') || k.startsWith('x-remote-')) continue;
    out[k] = v;
  }
  if (upgrade && incoming.upgrade) { out.connection = 'Upgrade'; out.upgrade = incoming.upgrade; }
  out['X-Remote-User'] = user.name;
  if (user.groups.length) out['X-Remote-Group'] = user.groups;
  for (const [key, values] of Object.entries(user.extra ?? {})) out[`X-Remote-Extra-${encodeURIComponent(key)}`] = values;
  return out;
}

/** Response headers to pass back: the backend's, minus hop-by-hop ones (node re-frames the body). */
export function responseHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !DROPPED.has(k)) out[k] = v;
  return out;
}

export interface BackendResponse { status: number; headers: IncomingHttpHeaders; body: string }

/** One GET to the backend as `user` (the aggregator's own checks and downloads), whatever the status. */
export function backendFetch(s: APIService, ep: Endpoint, client: ProxyClientCert | undefined, path: string, user: UserInfo,
  headers: Record<string, string>, timeoutMs: number): Promise<BackendResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request({ ...tlsOptions(s, ep, client), method: 'GET', path, headers: backendHeaders(headers, user, false), timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('Client.Timeout exceeded while awaiting headers')));
    req.on('error', reject);
    req.end();
  });
}
