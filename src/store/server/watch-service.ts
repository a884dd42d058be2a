// etcd's Watch service: one bidi stream carries many watchers. Facts followed from etcd 3.4:
// watch_id 0 means "pick one"; a duplicate id answers created+canceled with watch_id -1;
// cancelling an unknown id answers nothing; a compacted start revision answers canceled
// with compact_revision. Progress follows etcd's fix for etcd-io/etcd#15220 (in later 3.4
// and 3.5 releases; 3.4.23 still answers at once): a notification at revision R promises
// that every event up to R has been sent, so the periodic progress_notify goes only to
// caught-up ("synced") watchers, and a progress request (answered with watch_id -1) waits
// until every watcher on the stream has caught up.
import { status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError } from '../errors.js';
import type { Watcher } from '../kv-store.js';
import type { Event } from '../mvcc/key-value.js';
import { codeName, streamLabels } from './grpc-call.js';
import type { ServerContext } from './server-context.js';
import { watchResponseSize } from './proto.js';
import { wireEvent, type Wire } from './wire.js';
import { WatchSendQueue } from './watch-send-queue.js';

/** etcd lets watch responses exceed --max-request-bytes by gRPC's overhead allowance before fragmenting */
const GRPC_OVERHEAD_BYTES = 512 * 1024;


interface WatchEntry {
  watcher?: Watcher;
  progressNotify: boolean;
  /** events were sent since the last progress tick */
  busy: boolean;
}

const DUPLICATE_ID = 'mvcc: duplicate watch ID provided on the WatchStream';

export function watchService(ctx: ServerContext): UntypedServiceImplementation {
  const interval = ctx.config.watchProgressNotifyIntervalMs ?? 10 * 60_000;
  const fragmentLimit = ctx.config.maxRequestBytes + GRPC_OVERHEAD_BYTES;
  const labels = streamLabels('Watch', 'Watch', 'bidi_stream');
  const msgSent = ctx.metrics.grpcMsgSent.labels(labels);
  const msgReceived = ctx.metrics.grpcMsgReceived.labels(labels);
  return {
    Watch: (call: ServerDuplexStream<Wire, Wire>) => {
      ctx.metrics.grpcStarted.inc(labels);
      ctx.metrics.watchStreams.inc();
      const watches = new Map<number, WatchEntry>();
      let nextId = 0;
      let closed = false;
      /** a progress request waits for every watcher to catch up */
      let progressDeferred = false;

      const allSynced = () => {
        for (const w of watches.values()) if (w.watcher && !w.watcher.synced) return false;
        return true;
      };
      const sendProgressIfSynced = () => {
        if (!progressDeferred || !allSynced()) return;
        progressDeferred = false;
        send({ header: ctx.header(), watch_id: '-1' });
      };

      /** watch ids that asked for fragmented responses */
      const fragmented = new Set<string>();
      const out = new WatchSendQueue((resp, done) => {
        if (closed) return;
        const parts = resp.events?.length && fragmented.has(String(resp.watch_id)) ? [...fragments(resp, fragmentLimit)] : [resp];
        parts.forEach((part, i) => {
          msgSent.inc();
          if (i < parts.length - 1) call.write(part);
          else call.write(part, done);
        });
      });
      const send = (resp: Wire) => {
        if (!closed) out.other(resp);
      };

      const drop = (id: number) => {
        const w = watches.get(id);
        if (!w) return false;
        watches.delete(id);
        w.watcher?.cancel();
        ctx.metrics.watchers.dec();
        sendProgressIfSynced();
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
        if (fragment) fragmented.add(String(id));
        else fragmented.delete(String(id));
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
              if (!closed) out.events({ header: ctx.header(revision), watch_id: String(id), events: kept.map((e) => wireEvent(e, prevKv)) });
            },
            synced: () => {
              if (watches.get(id) === entry) sendProgressIfSynced();
            },
            compacted: (compactRevision: number) => {
              if (watches.get(id) !== entry) return;
              watches.delete(id);
              ctx.metrics.watchers.dec();
              // etcd sends this with an empty header revision and no cancel_reason
              send({ header: ctx.header(0), watch_id: String(id), canceled: true, compact_revision: String(compactRevision) });
              sendProgressIfSynced();
            },
          },
        );
      };

      const onRequest = (req: Wire) => {
        msgReceived.inc();
        if (req.create_request) create(req.create_request);
        else if (req.cancel_request) {
          const id = Number(req.cancel_request.watch_id ?? 0);
          if (drop(id)) send({ header: ctx.header(), watch_id: String(id), canceled: true });
        } else if (req.progress_request) {
          progressDeferred = true;
          sendProgressIfSynced();
        }
      };

      const timer = setInterval(() => {
        for (const [id, w] of watches) {
          // a watcher still replaying history is not told a revision it has not reached
          if (w.progressNotify && !w.busy && w.watcher?.synced) send({ header: ctx.header(), watch_id: String(id) });
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

/**
 * etcd's sendFragments: a response of two or more events at or over the limit is split
 * into parts that each stay under it (a part always holds at least one event); every part
 * but the last is marked fragment.
 */
function* fragments(resp: Wire, limit: number): Generator<Wire> {
  const events: Wire[] = resp.events;
  if (events.length < 2) {
    yield resp;
    return;
  }
  const base = watchResponseSize({ ...resp, events: [], fragment: true });
  // a repeated field costs, per element, its encoded size with tag and length
  const cost = events.map((e) => watchResponseSize({ header: null, watch_id: '0', events: [e] }));
  const total = watchResponseSize({ ...resp, events: [] }) + cost.reduce((a, b) => a + b, 0);
  if (total < limit) {
    yield resp;
    return;
  }
  let i = 0;
  while (i < events.length) {
    const start = i;
    let size = base;
    while (i < events.length) {
      if (i > start && size + cost[i] >= limit) break;
      size += cost[i];
      i++;
    }
    yield { ...resp, events: events.slice(start, i), fragment: i < events.length };
  }
}
