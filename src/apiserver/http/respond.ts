// Writing responses: JSON objects, and errors as Status objects with their HTTP code.
import type { ServerResponse } from 'node:http';
import { statusFromError } from '../../api/status/index.js';

export function sendJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  sendText(res, code, JSON.stringify(body), contentType);
}

/**
 * One JSON text as the body. Given as a string, node's HTTP layer joins it to the header block
 * and writes both in one socket write, encoding it there: no Buffer of our own and no writev
 * (~4 µs less per response over TLS than a Buffer body).
 */
function sendText(res: ServerResponse, code: number, text: string, contentType: string): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** Writes JSON already in text form (pieces joined without copying them into one string first). */
export function sendRawJSON(res: ServerResponse, code: number, parts: string[], contentType = 'application/json'): void {
  if (parts.length === 1) { sendText(res, code, parts[0], contentType); return; }
  const bufs = parts.map((p) => Buffer.from(p));
  let length = 0;
  for (const b of bufs) length += b.length;
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': length, 'Cache-Control': 'no-cache, private' });
  res.cork();
  for (const b of bufs) res.write(b);
  res.end();
  res.uncork();
}

/** Writes a body made of encoded pieces (a list's items as each was encoded once), copied into one buffer. */
export function sendBuffers(res: ServerResponse, code: number, parts: Buffer[], contentType = 'application/json'): void {
  const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': data.length, 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const status = statusFromError(err);
  if (res.headersSent) { res.destroy(); return; }
  const extra: Record<string, string> = {};
  const retry = status.details?.retryAfterSeconds;
  if (retry) extra['Retry-After'] = String(retry);
  const data = Buffer.from(JSON.stringify(status));
  res.writeHead(status.code ?? 500, { 'Content-Type': 'application/json', 'Content-Length': data.length, 'Cache-Control': 'no-cache, private', ...extra });
  res.end(data);
}
