// Entry point of etcd's v2 HTTP API for the shared client listener of `tskube etcd`:
// /v2/keys/... (the v2 keyspace), /v2/members, /v2/stats/*, /v2/machines.
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleCluster, type V2Member } from './v2-cluster-http.js';
import { unescape } from './v2-form.js';
import { handleKeys, writeError } from './v2-keys-http.js';
import { V2Store } from './v2-store.js';

export { V2Store };
export type { V2Member } from './v2-cluster-http.js';

export interface V2HandlerOptions {
  store: V2Store;
  /** 16 hex digits, sent as X-Etcd-Cluster-Id */
  clusterId: string;
  member: V2Member;
  /** raft position for X-Raft-Index/X-Raft-Term; default: the v2 store index and term 1 */
  raft?: () => { index: number; term: number };
}

/**
 * What `tskube etcd` (src/store/server/http-handler.ts) passes: the v3 store (whose data dir
 * the v2 keyspace lives under) and ids as numbers.
 */
export interface V2ServerDeps {
  store: { dataDir: string };
  clusterId: bigint;
  member: { id: bigint; name: string; peerURLs: string[]; clientURLs: string[] };
  log?: (line: string) => void;
}

export type V2Handler = ((req: IncomingMessage, res: ServerResponse) => boolean) & {
  /** the V2Store this handler serves */
  store: V2Store;
};

/** Go's ServeMux path cleaning (keeps a trailing slash). */
function muxClean(p: string): string {
  let c = path.posix.normalize(p);
  if (p.endsWith('/') && !c.endsWith('/')) c += '/';
  return c;
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Returns a request listener that answers every /v2/... request and returns true, or returns
 * false (touching nothing) for other paths so the caller can route them elsewhere.
 */
export function createV2Handler(opts: V2HandlerOptions): V2Handler;
export function createV2Handler(opts: V2ServerDeps): Promise<V2Handler>;
export function createV2Handler(opts: V2HandlerOptions | V2ServerDeps): V2Handler | Promise<V2Handler> {
  if (opts.store instanceof V2Store) return makeHandler(opts as V2HandlerOptions);
  const deps = opts as V2ServerDeps;
  return V2Store.open({ dataDir: deps.store.dataDir, log: deps.log }).then((store) =>
    makeHandler({
      store,
      clusterId: deps.clusterId.toString(16),
      member: { ...deps.member, id: deps.member.id.toString(16) },
    }),
  );
}

function makeHandler(opts: V2HandlerOptions): V2Handler {
  const { store } = opts;
  const startTime = Date.now();
  const raft = opts.raft ?? (() => ({ index: store.index, term: 1 }));
  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    if (rawPath !== '/v2' && !rawPath.startsWith('/v2/')) return false;

    let p: string;
    try {
      p = unescape(rawPath, false);
    } catch {
      // Go's server rejects a malformed URL before any handler runs
      req.resume();
      res.setHeader('Connection', 'close');
      plain(res, 400, '400 Bad Request');
      return true;
    }
    res.setHeader('Access-Control-Allow-Headers', 'accept, content-type, authorization');
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS, PUT, DELETE');
    res.setHeader('Access-Control-Allow-Origin', '*');
    const clean = muxClean(p);
    if (clean !== p) {
      req.resume();
      const loc = clean + (rawQuery ? '?' + rawQuery : '');
      res.setHeader('Location', loc);
      const body = req.method === 'GET' || req.method === 'HEAD' ? `<a href="${loc}">Moved Permanently</a>.\n\n` : '';
      res.writeHead(301, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
      return true;
    }
    if (p === '/v2/keys' || p.startsWith('/v2/keys/')) {
      handleKeys({ store, raft, clusterId: opts.clusterId }, req, res, p.slice('/v2/keys'.length), rawQuery).catch((e) => writeError(res, e, store.index));
      return true;
    }
    req.resume();
    if (p.startsWith('/v2/members')) res.setHeader('X-Etcd-Cluster-Id', opts.clusterId);
    if (!handleCluster({ store, member: opts.member, startTime }, req.method ?? 'GET', p, res)) plain(res, 404, '404 page not found\n');
    return true;
  };
  return Object.assign(handler, { store });
}
