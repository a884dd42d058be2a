// Serving a cached OpenAPI document as kube-openapi does: content negotiation on Accept
// (JSON here; the protobuf forms answer 406 Not Acceptable), a quoted SHA-512 ETag with
// If-None-Match → 304, Last-Modified, and Vary: Accept.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CachedDoc { body: Buffer; etag: string; lastModified: Date }

/** Upstream's ETag value: the SHA-512 of the document, upper-case hex. */
export function etagOf(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

export function cachedDoc(doc: unknown, lastModified: Date): CachedDoc {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: etagOf(body), lastModified };
}

/** Whether the Accept header admits JSON (application/json, application/*, or any). */
export function acceptsJSON(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    return range === 'application/json' || range === 'application/*' || range === '*/*' || range === '*';
  });
}

export function sendNotAcceptable(res: ServerResponse): void {
  res.writeHead(406, { 'Content-Type': 'text/plain; charset=utf-8', Vary: 'Accept' });
  res.end();
}

/** Writes `doc` (or 304 when the client's ETag matches); `extra` headers are added either way. */
export function serveDoc(req: IncomingMessage, res: ServerResponse, doc: CachedDoc, extra: Record<string, string> = {}): void {
  const headers: Record<string, string | number> = {
    Etag: JSON.stringify(doc.etag), 'Last-Modified': doc.lastModified.toUTCString(), Vary: 'Accept', ...extra,
  };
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === headers.Etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': doc.body.length });
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}
