// /openapi/v3 as kube-openapi's handler3 serves it: a discovery document listing each group
// version's serverRelativeURL with ?hash=ETAG, and one OpenAPI 3.0 document per group
// version. A request with the current hash is immutable (Cache-Control: public, immutable,
// Expires a year ahead); a stale hash is redirected (301) to the current one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../../api/resources/catalogue.js';
import { openapiV3Document } from '../../api/openapi/spec-v3.js';
import { versionInfo } from '../version.js';
import { type CachedDoc, acceptsJSON, cachedDoc, sendNotAcceptable, serveDoc } from './openapi-http.js';

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

/** Changes whenever the served resources change (CRDs come and go). */
export function catalogueSignature(cat: Catalogue): string {
  return cat.all.map((d) => `${d.group}/${d.version}/${d.plural}/${d.kind}/${d.namespaced}/${(d.verbs ?? []).join()}/${(d.subresources ?? []).map((s) => `${s.name}:${s.kind}`).join()}`).join('|');
}

let cache: { sig: string; docs: Map<string, CachedDoc>; discovery: CachedDoc } | undefined;

function docs(cat: Catalogue) {
  const sig = catalogueSignature(cat);
  if (cache?.sig === sig) return cache;
  const now = new Date();
  const map = new Map<string, CachedDoc>();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of cat.groups()) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v);
      const doc = cachedDoc(openapiV3Document(cat.inGroupVersion(g.group, v), versionInfo().gitVersion), now);
      map.set(p, doc);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.etag}` };
    }
  }
  cache = { sig, docs: map, discovery: cachedDoc({ paths }, now) };
  return cache;
}

/** The per-group-version document (as served), for tests and tools. */
export function openapiDocument(cat: Catalogue, group: string, version: string): unknown {
  const d = docs(cat).docs.get(gvPath(group, version));
  return d ? JSON.parse(d.body.toString('utf8')) : undefined;
}

export function openapiIndex(cat: Catalogue): { paths: Record<string, { serverRelativeURL: string }> } {
  return JSON.parse(docs(cat).discovery.body.toString('utf8'));
}

/** Documents other servers serve (aggregated APIs), by path ("apis/G/V"), as cached docs. */
export type RemoteDocs = Map<string, CachedDoc>;

let merged: { key: string; discovery: CachedDoc } | undefined;

/** The index with the remote group versions added (cached while neither side changes). */
function mergedIndex(local: CachedDoc, remote: RemoteDocs): CachedDoc {
  if (!remote.size) return local;
  const key = local.etag + [...remote].map(([p, d]) => `${p}=${d.etag}`).join();
  if (merged?.key !== key) {
    const paths = { ...JSON.parse(local.body.toString('utf8')).paths };
    for (const [p, d] of remote) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.etag}` };
    merged = { key, discovery: cachedDoc({ paths }, new Date()) };
  }
  return merged.discovery;
}

/** Serves /openapi/v3 and /openapi/v3/…; false when the path names no group version. */
export function serveOpenAPIV3(req: IncomingMessage, res: ServerResponse, url: URL, cat: Catalogue, remote: RemoteDocs = new Map()): boolean {
  const rest = url.pathname.replace(/\/+$/, '').slice('/openapi/v3'.length).replace(/^\//, '');
  const all = docs(cat);
  const doc = rest === '' ? mergedIndex(all.discovery, remote) : remote.get(rest) ?? all.docs.get(rest);
  if (!doc) return false;
  if (!acceptsJSON(req.headers.accept)) { sendNotAcceptable(res); return true; }
  const hash = url.searchParams.get('hash');
  if (rest !== '' && hash) {
    if (hash !== doc.etag) {
      res.writeHead(301, { Location: `/openapi/v3/${rest}?hash=${doc.etag}`, Vary: 'Accept', 'Content-Length': 0 });
      res.end();
      return true;
    }
    const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    serveDoc(req, res, doc, { 'Cache-Control': 'public, immutable', Expires: expires });
    return true;
  }
  serveDoc(req, res, doc);
  return true;
}
