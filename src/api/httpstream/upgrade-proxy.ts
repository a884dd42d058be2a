// Proxies an upgrade request (SPDY or WebSocket) to another streaming server and then
// splices the two connections byte for byte: how the kubelet hands a client to a CRI
// runtime's own streaming server (upstream's proxyStream), and how the API server passes
// SPDY through to a kubelet.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { dialUpgrade, type DialOptions, writeRawResponse } from './upgrade.js';

/** Request headers that belong to this hop, not the next one. */
const HOP_HEADERS = new Set(['host', 'connection', 'upgrade', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'authorization']);

export function forwardedHeaders(req: http.IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) out[k] = v;
  return out;
}

/** Writes the upstream's 101 (or refusal) to the client and splices the sockets. */
export async function proxyUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: Omit<DialOptions, 'headers' | 'upgrade' | 'method'>): Promise<void> {
  const res = await dialUpgrade({ ...target, method: req.method, headers: forwardedHeaders(req), upgrade: String(req.headers.upgrade ?? '') });
  if (!res.upgraded) {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.response.headers)) if (v !== undefined && !['connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
    writeRawResponse(socket, res.response.statusCode ?? 502, headers, res.body.toString('utf8'));
    return;
  }
  const lines = [`HTTP/1.1 101 Switching Protocols`];
  const raw = res.response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (res.head.length) socket.write(res.head);
  if (head.length) res.socket.write(head);
  res.socket.pipe(socket);
  socket.pipe(res.socket);
  const end = () => { socket.destroy(); res.socket.destroy(); };
  res.socket.on('error', end);
  socket.on('error', end);
  res.socket.on('close', () => socket.end());
  socket.on('close', () => res.socket.end());
}
