// Serving a cached OpenAPI document as kube-openapi does: content negotiation on Accept
// (JSON, and for /openapi/v2 also gnostic's protobuf form; anything else answers 406 Not
// Acceptable), a quoted SHA-512 ETag with If-None-Match → 304, Last-Modified, and Vary: Accept.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CachedDoc { body: Buffer; etag: string; lastModified: Date; contentType?: string }

/** Upstream's ETag value: the SHA-512 of the document, upper-case hex. */
export function etagOf(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

export function cachedDoc(doc: unknown, lastModified: Date): CachedDoc {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: etagOf(body), lastModified };
}

/**
 * The first of `offers` (media types, in the server's order of preference) that the Accept
 * header admits, as goautoneg picks it for kube-openapi: clauses by falling q, exact types
 * before wildcards, and for each clause the first offer it matches. A missing header is
 * any type; q=0 refuses.
 */
export function negotiate(accept: string | undefined, offers: readonly string[]): string | undefined {
  const clauses = (accept?.trim() ? accept : '*/*').split(',').map((part, index) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const [type = '', sub = '*'] = range === '*' ? ['*', '*'] : range.split('/');
    return { type, sub, q: q ? Number(q.slice(2)) : 1, index };
  }).filter((c) => c.type && c.q > 0);
  const wild = (c: { type: string; sub: string }) => (c.type === '*' ? 2 : 0) + (c.sub === '*' ? 1 : 0);
  clauses.sort((a, b) => b.q - a.q || wild(a) - wild(b) || a.index - b.index);
  for (const c of clauses) {
    for (const offer of offers) {
      const [type, sub] = offer.split('/');
      if ((c.type === '*' || c.type === type) && (c.sub === '*' || c.sub === sub)) return offer;
    }
  }
  return undefined;
}

/** Whether the Accept header admits JSON (application/json, application/*, or any). */
export function acceptsJSON(accept: string | undefined): boolean {
  return negotiate(accept, ['application/json']) !== undefined;
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
  res.writeHead(200, { ...headers, 'Content-Type': doc.contentType ?? 'application/json', 'Content-Length': doc.body.length });
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}
