// etcd's Watch service: one bidi stream carries many watchers. Facts followed from etcd 3.4:
// watch_id 0 means "pick one"; a duplicate id answers created+canceled with watch_id -1;
// a progress request answers a header-only response with watch_id -1; cancelling an unknown
// id answers nothing; a compacted start revision answers canceled with compact_revision.
import { status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError } from '../errors.js';
import type { Watcher } from '../kv-store.js';
import type { Event } from '../mvcc/key-value.js';
import { codeName, streamLabels } from './grpc-call.js';
import type { ServerContext } from './server-context.js';
import { wireEvent, type Wire } from './wire.js';

/** etcd sends progress notifications every 10 minutes; tests shorten it with this variable */
export const PROGRESS_INTERVAL_ENV = 'TSKUBE_ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL_MS';

interface WatchEntry {
  watcher?: Watcher;
  progressNotify: boolean;
  /** events were sent since the last progress tick */
  busy: boolean;
}

const DUPLICATE_ID = 'mvcc: duplicate watch ID provided on the WatchStream';

export function watchService(ctx: ServerContext): UntypedServiceImplementation {
  const interval = Number(process.env[PROGRESS_INTERVAL_ENV] ?? '') || 10 * 60 * 1000;
  const labels = streamLabels('Watch', 'Watch', 'bidi_stream');
  return {
    Watch: (call: ServerDuplexStream<Wire, Wire>) => {
      ctx.metrics.grpcStarted.inc(labels);
      ctx.metrics.watchStreams.inc();
      const watches = new Map<number, WatchEntry>();
      let nextId = 0;
      let closed = false;

      const send = (resp: Wire) => {
        if (closed) return;
        ctx.metrics.grpcMsgSent.inc(labels);
        call.write(resp);
      };

      const drop = (id: number) => {
        const w = watches.get(id);
        if (!w) return false;
        watches.delete(id);
        w.watcher?.cancel();
        ctx.metrics.watchers.dec();
        return true;
      };

      const create = (req: Wire) => {
        const key: Buffer = req.key && req.key.length > 0 ? req.key : Buffer.from([0]);
        const rangeEnd: Buffer | undefined = req.range_end && req.range_end.length > 0 ? req.range_end : undefined;
        let id = Number(req.watch_id ?? 0);
        try {
          ctx.auth.check(call.metadata, [[key, rangeEnd, 'read']]);
        } catch (err) {
          // etcd 3.4 puts the gRPC error's full text in cancel_reason
          const reason = err instanceof EtcdError ? `rpc error: code = ${codeName(err.code)} desc = ${err.message}` : String(err);
          send({ header: ctx.header(), watch_id: String(id), created: true, canceled: true, cancel_reason: reason });
          return;
        }
        if (id !== 0 && watches.has(id)) {
          send({ header: ctx.header(), watch_id: '-1', created: true, canceled: true, cancel_reason: DUPLICATE_ID });
          return;
        }
        if (id === 0) {
          while (watches.has(nextId)) nextId++;
          id = nextId++;
        }
        const filters: string[] = req.filters ?? [];
        const noPut = filters.includes('NOPUT');
        const noDelete = filters.includes('NODELETE');
        const prevKv = !!req.prev_kv;
        const fragment = !!req.fragment;
        const entry: WatchEntry = { progressNotify: !!req.progress_notify, busy: false };
        watches.set(id, entry);
        ctx.metrics.watchers.inc();
        send({ header: ctx.header(), watch_id: String(id), created: true });
        const startRevision = Number(req.start_revision ?? 0);
        entry.watcher = ctx.store.watch(
          { key, rangeEnd, startRevision: startRevision > 0 ? startRevision : undefined, prevKv },
          {
            events: (events: Event[], revision: number) => {
              if (watches.get(id) !== entry) return;
              const kept = events.filter((e) => !(noPut && e.type === 'PUT') && !(noDelete && e.type === 'DELETE'));
              if (kept.length === 0) return;
              entry.busy = true;
              const wire = kept.map((e) => wireEvent(e, prevKv));
              for (const [part, more] of fragments(wire, fragment ? ctx.config.maxRequestBytes : Infinity)) {
                send({ header: ctx.header(revision), watch_id: String(id), events: part, fragment: more });
              }
            },
            compacted: (compactRevision: number) => {
              if (watches.get(id) !== entry) return;
              watches.delete(id);
              ctx.metrics.watchers.dec();
              // etcd sends this with an empty header revision and no cancel_reason
              send({ header: ctx.header(0), watch_id: String(id), canceled: true, compact_revision: String(compactRevision) });
            },
          },
        );
      };

      const onRequest = (req: Wire) => {
        ctx.metrics.grpcMsgReceived.inc(labels);
        if (req.create_request) create(req.create_request);
        else if (req.cancel_request) {
          const id = Number(req.cancel_request.watch_id ?? 0);
          if (drop(id)) send({ header: ctx.header(), watch_id: String(id), canceled: true });
        } else if (req.progress_request) {
          send({ header: ctx.header(), watch_id: '-1' });
        }
      };

      const timer = setInterval(() => {
        for (const [id, w] of watches) {
          if (w.progressNotify && !w.busy) send({ header: ctx.header(), watch_id: String(id) });
          w.busy = false;
        }
      }, interval);
      timer.unref();

      const finish = (code: status) => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        for (const id of [...watches.keys()]) drop(id);
        ctx.metrics.watchStreams.dec();
        ctx.metrics.grpcHandled.inc({ ...labels, grpc_code: codeName(code) });
      };

      call.on('data', (req: Wire) => {
        try {
          onRequest(req);
        } catch (err) {
          ctx.log.error(`watch request failed: ${err instanceof Error ? err.stack : String(err)}`);
          const e = err instanceof EtcdError ? err : new EtcdError(status.UNKNOWN, String(err));
          finish(e.code);
          call.emit('error', { code: e.code, details: e.message });
        }
      });
      call.on('end', () => {
        finish(status.OK);
        call.end();
      });
      call.on('cancelled', () => finish(status.CANCELLED));
      call.on('error', () => finish(status.CANCELLED));
      call.on('close', () => finish(status.OK));
    },
  };
}

/** splits events so each response stays under `limit` bytes (etcd's fragment option) */
function* fragments(events: Wire[], limit: number): Generator<[Wire[], boolean]> {
  if (!Number.isFinite(limit)) {
    yield [events, false];
    return;
  }
  const size = (e: Wire) => 64 + e.kv.key.length + e.kv.value.length + (e.prev_kv ? 64 + e.prev_kv.key.length + e.prev_kv.value.length : 0);
  let part: Wire[] = [];
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const s = size(events[i]);
    if (part.length > 0 && bytes + s > limit) {
      yield [part, true];
      part = [];
      bytes = 0;
    }
    part.push(events[i]);
    bytes += s;
  }
  yield [part, false];
}
