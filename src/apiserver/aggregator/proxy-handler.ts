// Proxies an already authenticated and authorized request for an aggregated group/version
// to its extension API server, streaming both ways: list/get/create bodies, watches (the
// chunked body passes as it arrives) and upgraded connections (exec-style streams,
// WebSockets) spliced socket to socket. Failures answer as upstream's aggregator does:
// plain-text 503 "service unavailable" while the APIService is not Available or has no
// endpoint, and the transport error (503) when the backend cannot be reached.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Registry } from '../registry/registry.js';
import type { UserInfo } from '../authn/user-info.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import { type APIService, isAvailable } from './apiservice-index.js';
import { resolveEndpoint } from './service-resolver.js';
import { backendHeaders, responseHeaders, tlsOptions } from './backend-request.js';

export interface ProxyRequest {
  req: IncomingMessage;
  res: ServerResponse;
  user: UserInfo;
  upgrade?: { socket: Duplex; head: Buffer };
}

function plainError(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) { res.destroy(); return; }
  // Go's http.Error
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

export async function proxyToService(s: APIService, p: ProxyRequest, registry: Registry, client: ProxyClientCert | undefined,
  viaEndpoints: boolean, log: (level: number, msg: string) => void): Promise<void> {
  if (!isAvailable(s)) return plainError(p.res, 503, 'service unavailable');
  let ep;
  try {
    ep = await resolveEndpoint(registry, s.spec.service!, viaEndpoints);
  } catch (err) {
    log(1, `aggregator: ${s.metadata!.name}: ${(err as Error).message}`);
    return plainError(p.res, 503, 'service unavailable');
  }
  const upgrade = !!p.upgrade && !!p.req.headers.upgrade;
  const out = https.request({ ...tlsOptions(s, ep, client), method: p.req.method, path: p.req.url, headers: backendHeaders(p.req.headers, p.user, upgrade) });
  await new Promise<void>((resolve) => {
    const fail = (err: Error) => {
      log(1, `aggregator: error proxying ${p.req.method} ${p.req.url} to ${s.metadata!.name}: ${err.message}`);
      plainError(p.res, 503, err.message);
      resolve();
    };
    out.on('error', fail);
    out.on('response', (back) => {
      p.res.writeHead(back.statusCode ?? 502, responseHeaders(back.headers));
      // a watch's events go out as they come
      p.res.flushHeaders();
      back.pipe(p.res);
      back.on('error', () => p.res.destroy());
      back.on('end', resolve);
      p.res.on('close', () => { back.destroy(); resolve(); });
    });
    out.on('upgrade', (back, backSocket, backHead) => {
      const client = p.upgrade!.socket;
      // the 101 and its headers, as the backend sent them
      const lines = [`HTTP/1.1 ${back.statusCode} ${back.statusMessage}`];
      for (let i = 0; i < back.rawHeaders.length; i += 2) lines.push(`${back.rawHeaders[i]}: ${back.rawHeaders[i + 1]}`);
      p.res.detachSocket(client as never);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      if (backHead.length) client.write(backHead);
      // what the caller sent after its request head belongs to the upgraded stream
      if (p.upgrade!.head.length) backSocket.write(p.upgrade!.head);
      backSocket.pipe(client);
      client.pipe(backSocket);
      const end = () => { backSocket.destroy(); client.destroy(); resolve(); };
      backSocket.on('close', end);
      client.on('close', end);
      backSocket.on('error', end);
    });
    // a caller who goes away ends the backend request (a watch left open would leak)
    p.req.on('aborted', () => out.destroy());
    if (upgrade) {
      out.end();
    } else {
      p.req.pipe(out);
    }
  });
}
