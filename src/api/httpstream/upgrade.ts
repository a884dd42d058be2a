// HTTP connection upgrades as Kubernetes streams them (apimachinery's httpstream): the
// client offers X-Stream-Protocol-Version values, the server picks the first of the
// client's it supports and answers 101 with `Upgrade: SPDY/3.1`; a server that supports
// none answers 403 with the versions it accepts. Also the client side (dialUpgrade), used
// by the API server towards kubelets and by the kubelet towards a CRI streaming server.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { SpdyConnection } from './spdy/spdy-connection.js';

export const HEADER_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const HEADER_ACCEPTED_PROTOCOL_VERSIONS = 'X-Accepted-Stream-Protocol-Versions';
export const SPDY_31 = 'SPDY/3.1';

const headerList = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

export function isUpgradeRequest(req: http.IncomingMessage): boolean {
  return headerList(req.headers.connection).some((c) => c.toLowerCase() === 'upgrade') && !!req.headers.upgrade;
}

export function upgradeProtocol(req: http.IncomingMessage): string {
  return String(req.headers.upgrade ?? '').toLowerCase();
}

export const isWebSocketRequest = (req: http.IncomingMessage): boolean => isUpgradeRequest(req) && upgradeProtocol(req) === 'websocket';
export const isSpdyRequest = (req: http.IncomingMessage): boolean => isUpgradeRequest(req) && upgradeProtocol(req) === SPDY_31.toLowerCase();

/** The stream protocols the client offers, in its order of preference. */
export function offeredProtocols(req: http.IncomingMessage): string[] {
  return headerList(req.headers[HEADER_PROTOCOL_VERSION.toLowerCase()]);
}

/** A plain HTTP response on a socket that was handed over for an upgrade. */
export function writeRawResponse(socket: Duplex, code: number, headers: Record<string, string | string[]>, body: string): void {
  const lines = [`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}`];
  const all: Record<string, string | string[]> = { 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...headers };
  for (const [k, v] of Object.entries(all)) for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * Accepts a SPDY upgrade for one of `supported` protocols (an empty offer means the
 * original, unversioned protocol: ''). On failure the error response is written and
 * undefined returned.
 */
export function acceptSpdy(req: http.IncomingMessage, socket: Duplex, head: Buffer, supported: string[]): { conn: SpdyConnection; protocol: string } | undefined {
  if (!isSpdyRequest(req)) {
    writeRawResponse(socket, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'unable to upgrade: missing upgrade headers in request\n');
    return undefined;
  }
  const offered = offeredProtocols(req);
  let protocol = '';
  if (offered.length) {
    const chosen = offered.find((p) => supported.includes(p));
    if (chosen === undefined) {
      writeRawResponse(socket, 403, { 'Content-Type': 'text/plain; charset=utf-8', [HEADER_ACCEPTED_PROTOCOL_VERSIONS]: supported },
        `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server accepts ${JSON.stringify(supported)}\n`);
      return undefined;
    }
    protocol = chosen;
  }
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Upgrade: ${SPDY_31}`];
  if (protocol) lines.push(`${HEADER_PROTOCOL_VERSION}: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const conn = new SpdyConnection(socket, { server: true });
  conn.feed(head);
  return { conn, protocol };
}

export interface DialOptions {
  url: URL;
  method?: string;
  /** TLS material for https URLs (client certificate, CA to verify the server). */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  headers?: Record<string, string | string[]>;
  /** `SPDY/3.1` unless told. */
  upgrade?: string;
  protocols?: string[];
}

export type DialResult =
  | { upgraded: true; socket: Duplex; head: Buffer; protocol: string; response: http.IncomingMessage }
  | { upgraded: false; response: http.IncomingMessage; body: Buffer };

/** Sends an upgrade request; resolves with the switched socket, or the refusing response and its body. */
export function dialUpgrade(o: DialOptions): Promise<DialResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...(o.headers ?? {}), Connection: 'Upgrade', Upgrade: o.upgrade ?? SPDY_31 };
    if (o.protocols?.length) headers[HEADER_PROTOCOL_VERSION] = o.protocols;
    const opts: https.RequestOptions = {
      method: o.method ?? 'POST', host: o.url.hostname.replace(/^\[|\]$/g, ''), port: o.url.port || (o.url.protocol === 'https:' ? 443 : 80),
      path: `${o.url.pathname}${o.url.search}`, headers, agent: false,
    };
    const req = o.url.protocol === 'https:'
      ? https.request({ ...opts, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized ?? true })
      : http.request(opts);
    req.on('upgrade', (response, socket, head) => {
      resolve({ upgraded: true, socket, head, protocol: String(response.headers[HEADER_PROTOCOL_VERSION.toLowerCase()] ?? ''), response });
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ upgraded: false, response, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
