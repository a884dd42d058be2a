// /v2/keys: decode the request, run it against the V2Store and answer with etcd's headers,
// status codes and JSON bodies; `wait=true` turns into a long poll (or a stream).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ecode, V2Error } from './v2-error.js';
import { eventBody, isCreated, type V2Event } from './v2-event.js';
import { FormError, parseForm } from './v2-form.js';
import { goJSON } from './v2-json.js';
import { parseKeyRequest, type KeyRequest } from './v2-request.js';
import type { V2Store } from './v2-store.js';
import { cleanPath } from './v2-tree.js';

export interface KeysContext {
  store: V2Store;
  /** X-Raft-Index / X-Raft-Term; without raft they follow the store index and a fixed term */
  raft: () => { index: number; term: number };
  clusterId: string;
}

const ALLOWED = ['HEAD', 'GET', 'PUT', 'POST', 'DELETE'];

export async function handleKeys(ctx: KeysContext, req: IncomingMessage, res: ServerResponse, keyPath: string, rawQuery: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    req.resume();
    res.writeHead(200).end();
    return;
  }
  if (!ALLOWED.includes(method)) {
    req.resume();
    res.setHeader('Allow', ALLOWED.join(','));
    res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end('Method Not Allowed\n');
    return;
  }
  res.setHeader('X-Etcd-Cluster-Id', ctx.clusterId);
  let r: KeyRequest;
  try {
    let form;
    try {
      form = await parseForm(req, rawQuery);
    } catch (e) {
      if (e instanceof FormError) throw new V2Error(Ecode.InvalidForm, e.message, 0);
      throw e;
    }
    r = parseKeyRequest(method, cleanPath(keyPath), form, Date.now());
    if (r.wait) return watch(ctx, req, res, r);
    const ev = await run(ctx.store, r);
    writeEvent(ctx, res, ev, r.noValueOnSuccess);
  } catch (e) {
    writeError(res, e, ctx.store.index);
  }
}

function run(store: V2Store, r: KeyRequest): Promise<V2Event> {
  const o = { expireTime: r.expireTime, refresh: r.refresh };
  switch (r.method) {
    case 'POST':
      return store.create(r.path, r.dir, r.value, true, o);
    case 'PUT':
      if (r.prevExist !== undefined) {
        if (!r.prevExist) return store.create(r.path, r.dir, r.value, false, o);
        if (r.prevIndex === 0 && r.prevValue === '') return store.update(r.path, r.value, o);
        return store.compareAndSwap(r.path, r.prevValue, r.prevIndex, r.value, o);
      }
      if (r.prevIndex > 0 || r.prevValue !== '') return store.compareAndSwap(r.path, r.prevValue, r.prevIndex, r.value, o);
      return store.set(r.path, r.dir, r.value, o);
    case 'DELETE':
      if (r.prevIndex > 0 || r.prevValue !== '') return store.compareAndDelete(r.path, r.prevValue, r.prevIndex);
      return store.delete(r.path, r.dir, r.recursive);
    default: // GET, HEAD
      return store.get(r.path, r.recursive, r.sorted);
  }
}

function raftHeaders(ctx: KeysContext): Record<string, string> {
  const { index, term } = ctx.raft();
  return { 'X-Raft-Index': String(index), 'X-Raft-Term': String(term) };
}

function writeEvent(ctx: KeysContext, res: ServerResponse, ev: V2Event, noValue: boolean): void {
  const body = goJSON(eventBody(ev, noValue));
  res.writeHead(isCreated(ev) ? 201 : 200, {
    'Content-Type': 'application/json',
    'X-Etcd-Index': String(ev.etcdIndex),
    ...raftHeaders(ctx),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function writeError(res: ServerResponse, e: unknown, index: number): void {
  const err = e instanceof V2Error ? e : new V2Error(Ecode.RaftInternal, e instanceof Error ? e.message : String(e), index);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = goJSON(err.toJSON());
  res.writeHead(err.status, { 'Content-Type': 'application/json', 'X-Etcd-Index': String(err.index), 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Long poll: headers go out at once; the first matching event (or every one, with stream=true) follows. */
function watch(ctx: KeysContext, req: IncomingMessage, res: ServerResponse, r: KeyRequest): void {
  const w = ctx.store.watch(r.path, r.recursive, r.stream, r.waitIndex);
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Etcd-Index': String(w.startIndex), ...raftHeaders(ctx) });
  res.flushHeaders();
  const stop = () => w.remove();
  res.on('close', stop);
  w.onEvent((ev) => {
    if (res.writableEnded) return;
    res.write(goJSON(eventBody(ev)));
    if (!r.stream) {
      w.remove();
      res.end();
    }
  });
}
