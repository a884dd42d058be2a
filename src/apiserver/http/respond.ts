// Writing responses: JSON objects, and errors as Status objects with their HTTP code.
import type { ServerResponse } from 'node:http';
import { statusFromError } from '../../api/status/index.js';

export function sendJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': data.length, 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

/** Writes JSON already in text form (pieces joined without copying them into one string first). */
export function sendRawJSON(res: ServerResponse, code: number, parts: string[], contentType = 'application/json'): void {
  const bufs = parts.map((p) => Buffer.from(p));
  let length = 0;
  for (const b of bufs) length += b.length;
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': length, 'Cache-Control': 'no-cache, private' });
  if (bufs.length === 1) { res.end(bufs[0]); return; }
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
