// Watch, served from the resource's watch cache: one JSON event per line (chunked),
// filtered by selectors with ADDED/DELETED on selector transitions, BOOKMARKs when asked
// for, and an ERROR 410 Expired event when the version is older than the cache's ring.
import { goBool } from '../request-info.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { newTooLargeResourceVersion, newTooOldResourceVersion, statusFromError } from '../../api/status/index.js';
import { toTable, type IncludeObject } from '../../api/tables/to-table.js';
import { wantsTable } from '../http/negotiate.js';
import type { CacheEvent } from '../cache/event-buffer.js';
import { TooOldError } from '../cache/watch-cache.js';
import { listPrefix } from '../registry/keys.js';
import { served } from '../registry/registry.js';
import { selectorMatcher } from '../registry/selector-matcher.js';
import { listOptions } from './list-options.js';
import { type RequestContext, apiVersionOf, query } from './request-context.js';

/** A watcher whose client reads slower than this many buffered bytes is ended (it re-lists). */
const MAX_BUFFERED = 32 * 1024 * 1024;
/** How often a watch that asked for them gets a BOOKMARK (upstream: about once a minute). */
export const BOOKMARK_INTERVAL_MS = Number(process.env.TSKUBE_WATCH_BOOKMARK_MS ?? 60_000);

export async function serveWatch(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, res } = ctx;
  const opts = listOptions(ctx);
  const name = ctx.info.name;
  const cache = await registry.cache(def);
  if (!cache) throw new Error('watch needs the watch cache');
  const prefix = name ? registry.key(def, ns, name) : listPrefix(registry.etcdPrefix, def, ns);
  const inScope = (key: string) => (name ? key === prefix : key.startsWith(prefix));
  const matches = selectorMatcher(def, opts);
  const tableVersion = wantsTable(ctx.req.headers.accept);
  const includeObject = query(ctx, 'includeObject') as IncludeObject | undefined;
  const bookmarks = goBool(query(ctx, 'allowWatchBookmarks'));
  const timeoutQ = Number(query(ctx, 'timeoutSeconds') ?? 0);
  const timeoutMs = (timeoutQ > 0 ? timeoutQ : 1800 * (1 + Math.random())) * 1000;
  const plain = !tableVersion && !def.convert;
  // Without selectors every event goes out as it is: its shared JSON, never parsed here.
  const unfiltered = plain && (!opts.labelSelector || opts.labelSelector.isEmpty()) && (!opts.fieldSelector || opts.fieldSelector.isEmpty());

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let first = true;
  let lastRevision = 0;
  let ended = false;
  const write = (line: string | Buffer) => {
    if (ended) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED) finish();
  };
  const send = (type: string, obj: unknown) => {
    let object = obj;
    if (tableVersion && type !== 'ERROR' && type !== 'BOOKMARK') {
      object = toTable(def, [obj as KubeObject], { version: tableVersion, includeObject, noHeaders: !first });
      first = false;
    }
    write(JSON.stringify({ type, object }) + '\n');
  };
  /** The event's object as JSON, serialised once for every plain watcher. */
  const sendCached = (type: string, ev: CacheEvent) => {
    if (!plain) { send(type, served(def, ev.obj)); return; }
    write(ev.line(type));
  };

  let stop = () => {};
  const timer = setTimeout(() => finish(), timeoutMs);
  let bookmarkTimer: NodeJS.Timeout | undefined;
  function finish() {
    if (ended) return;
    ended = true;
    stop();
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    if (!res.writableEnded) res.end();
  }
  ctx.req.on('close', finish);
  res.on('close', finish);

  let from: number;
  const rv = opts.resourceVersion;
  if (!rv || rv === '0') {
    // No version: the cache's current state as ADDED events, then every change after it.
    const snap = cache.entries(prefix);
    for (const entry of snap.items) {
      if (unfiltered && !name) { write(`{"type":"ADDED","object":${entry.json}}\n`); continue; }
      const item = entry.obj;
      if (name && item.metadata?.name !== name) continue;
      const out = served(def, item);
      if (matches(out)) send('ADDED', out);
    }
    from = snap.revision;
  } else {
    from = Number(rv);
    // A version the cache has not reached: wait for it (3 s, as upstream), then 504 Too large resource version.
    if (from > cache.watchableRevision && !await cache.waitWatchable(from)) {
      send('ERROR', newTooLargeResourceVersion(from, cache.watchableRevision).status);
      finish();
      return;
    }
    if (ended) return;
  }
  lastRevision = from;
  // Bookmarks carry the newest version this watcher is known to be current at.
  if (bookmarks) {
    bookmarkTimer = setInterval(() => {
      send('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(Math.max(lastRevision, cache.revision)) } });
    }, BOOKMARK_INTERVAL_MS);
  }

  try {
    // A selector pinning the cache's trigger field (a kubelet's spec.nodeName=NODE) sees only its events.
    const triggerValue = cache.trigger ? opts.fieldSelector?.requiresExactMatch(cache.trigger.field) : undefined;
    stop = cache.watch(from, {
      triggerValue,
      onEvent: (ev) => {
        if (!inScope(ev.key)) return;
        lastRevision = ev.revision;
        if (unfiltered) { sendCached(ev.type, ev); return; }
        const cur = ev.type === 'DELETED' ? undefined : served(def, ev.obj);
        const prev = ev.prev ? served(def, ev.prev) : undefined;
        const nowIn = matches(cur);
        const wasIn = matches(prev);
        if (ev.type === 'DELETED') { if (wasIn) sendCached('DELETED', ev); } else if (nowIn && !wasIn) sendCached('ADDED', ev);
        else if (nowIn && wasIn) sendCached('MODIFIED', ev);
        else if (!nowIn && wasIn) sendCached('DELETED', ev);
      },
      // The cache lost etcd: end the watch as upstream does; the client resumes or re-lists.
      onClose: () => finish(),
    });
  } catch (err) {
    if (err instanceof TooOldError) send('ERROR', newTooOldResourceVersion(err.requested, err.oldest).status);
    else send('ERROR', statusFromError(err));
    finish();
  }
}
