// Watch: etcd watch events turned into Kubernetes watch events (one JSON object per line,
// chunked), filtered by selectors with ADDED/DELETED on selector transitions, BOOKMARKs
// when asked for, and an ERROR 410 Expired event for compacted revisions.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { newTooOldResourceVersion, statusFromError } from '../../api/status/index.js';
import { toTable, type IncludeObject } from '../../api/tables/to-table.js';
import { wantsTable } from '../http/negotiate.js';
import { listPrefix } from '../registry/keys.js';
import { CompactedError, type EtcdEvent } from '../storage/etcd-client.js';
import { decode } from '../storage/object-store.js';
import { listOptions } from './list-options.js';
import { type RequestContext, apiVersionOf, query } from './request-context.js';

export async function serveWatch(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, res } = ctx;
  const opts = listOptions(ctx);
  const name = ctx.info.name;
  const matches = (o: KubeObject | undefined) => !!o && (!name || o.metadata?.name === name) && registry.matches(def, o, opts);
  const tableVersion = wantsTable(ctx.req.headers.accept);
  const includeObject = query(ctx, 'includeObject') as IncludeObject | undefined;
  const bookmarks = query(ctx, 'allowWatchBookmarks') === 'true';
  const timeoutQ = Number(query(ctx, 'timeoutSeconds') ?? 0);
  const timeoutMs = (timeoutQ > 0 ? timeoutQ : 1800 * (1 + Math.random())) * 1000;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let first = true;
  let lastRevision = 0;
  const send = (type: string, obj: unknown) => {
    let object = obj;
    if (tableVersion && type !== 'ERROR' && type !== 'BOOKMARK') {
      object = toTable(def, [obj as KubeObject], { version: tableVersion, includeObject, noHeaders: !first });
      first = false;
    }
    res.write(JSON.stringify({ type, object }) + '\n');
  };

  let startRevision: number;
  const rv = opts.resourceVersion;
  if (!rv || rv === '0') {
    // No version: the current state as ADDED events, then changes after it.
    const list = await registry.list(def, ns, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    for (const item of list.items) if (matches(item)) send('ADDED', item);
    startRevision = Number(list.resourceVersion) + 1;
  } else {
    startRevision = Number(rv) + 1;
  }
  lastRevision = startRevision - 1;

  const prefix = name ? registry.key(def, ns, name) : listPrefix(registry.etcdPrefix, def, ns);
  let stop = () => {};
  const finish = () => { stop(); clearTimeout(timer); clearInterval(bookmarkTimer); if (!res.writableEnded) res.end(); };
  const timer = setTimeout(finish, timeoutMs);
  const bookmarkTimer = setInterval(() => {
    if (bookmarks) send('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(lastRevision) } });
  }, 60_000);
  ctx.req.on('close', finish);
  res.on('close', finish);

  stop = ctx.store.watch(prefix, startRevision, (events: EtcdEvent[], revision: number) => {
    for (const ev of events) {
      const cur = ev.type === 'PUT' ? decode(ev.kv).obj : undefined;
      const prev = ev.prev_kv && ev.prev_kv.key?.length ? decode(ev.prev_kv).obj : undefined;
      const nowIn = matches(cur);
      const wasIn = matches(prev);
      if (ev.type === 'DELETE') {
        if (wasIn && prev) { prev.metadata!.resourceVersion = String(ev.kv.mod_revision); send('DELETED', prev); }
      } else if (nowIn && !wasIn) send('ADDED', cur);
      else if (nowIn && wasIn) send('MODIFIED', cur);
      else if (!nowIn && wasIn && cur) send('DELETED', cur);
    }
    lastRevision = revision;
  }, (err) => {
    if (err instanceof CompactedError) send('ERROR', newTooOldResourceVersion(err.requested - 1, err.compactRevision).status);
    else send('ERROR', statusFromError(err));
    finish();
  });
}
