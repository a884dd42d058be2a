// Delivering changes to watchers, as etcd's watchable store does: "synced" watchers are
// caught up and get each durable revision's events as it lands; "unsynced" ones started
// in the past and are fed from the backend's history in chunks until they catch up, then
// join the synced set in the same turn so no revision is missed or repeated.
import type { WatchOptions, WatchSink, Watcher } from '../kv-store.js';
import type { Event } from '../mvcc/key-value.js';
import { WatcherState } from './watcher.js';

export interface HistorySource {
  durableRevision(): number;
  compactRevision(): number;
  history(
    from: number,
    to: number,
    want: (key: string) => { prevKv: boolean } | undefined,
    visit: (ev: Event, rev: number) => void,
  ): void;
}

/** revisions read per chunk while catching a watcher up */
const CHUNK_REVISIONS = 1000;

export class WatchHub {
  private readonly synced = new Set<WatcherState>();
  private readonly unsynced = new Set<WatcherState>();
  private syncScheduled = false;

  constructor(private readonly source: HistorySource) {}

  watch(opts: WatchOptions, sink: WatchSink): Watcher {
    const w = new WatcherState(opts, sink);
    const start = opts.startRevision && opts.startRevision > 0 ? opts.startRevision : 0;
    const durable = this.source.durableRevision();
    const compact = this.source.compactRevision();
    const handle = {
      cancel: () => this.remove(w),
      get synced() {
        return w.synced;
      },
    };
    if (start > 0 && start < compact) {
      w.cancelled = true;
      queueMicrotask(() => sink.compacted(compact));
      return handle;
    }
    if (start === 0 || start > durable) {
      w.nextRev = start || durable + 1;
      w.synced = true;
      this.synced.add(w);
    } else {
      w.nextRev = start;
      this.unsynced.add(w);
      this.scheduleSync();
    }
    return handle;
  }

  private remove(w: WatcherState): void {
    w.cancelled = true;
    this.synced.delete(w);
    this.unsynced.delete(w);
  }

  /** the events of one durable revision */
  notify(events: Event[], rev: number): void {
    if (this.synced.size === 0) return;
    for (const w of this.synced) {
      if (rev < w.nextRev) continue;
      let out: Event[] | undefined;
      for (const ev of events) {
        if (!w.matches(ev.kv.key.toString('latin1'))) continue;
        const s = w.shape(ev);
        if (s) (out ??= []).push(s);
      }
      w.nextRev = rev + 1;
      if (out) w.sink.events(out, rev);
    }
  }

  /** a compaction happened: unsynced watchers behind it can never catch up */
  compacted(rev: number): void {
    for (const w of this.unsynced) {
      if (w.nextRev < rev) {
        this.remove(w);
        queueMicrotask(() => w.sink.compacted(rev));
      }
    }
  }

  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      this.syncRound();
    });
  }

  private syncRound(): void {
    const durable = this.source.durableRevision();
    for (const w of this.unsynced) {
      const to = Math.min(durable, w.nextRev + CHUNK_REVISIONS - 1);
      let batch: Event[] = [];
      let batchRev = 0;
      const flush = () => {
        if (batch.length > 0 && !w.cancelled) w.sink.events(batch, batchRev);
        batch = [];
      };
      this.source.history(
        w.nextRev,
        to,
        (key) => (w.matches(key) ? { prevKv: w.prevKv } : undefined),
        (ev, rev) => {
          const s = w.shape(ev);
          if (!s) return;
          // etcd groups history into responses of whole revisions; keep them modest.
          if (batch.length >= 1000 && rev !== batchRev) flush();
          batch.push(s);
          batchRev = rev;
        },
      );
      flush();
      if (w.cancelled) continue;
      w.nextRev = to + 1;
      if (to >= durable) {
        this.unsynced.delete(w);
        this.synced.add(w);
        w.synced = true;
        w.sink.synced?.();
      }
    }
    if (this.unsynced.size > 0) this.scheduleSync();
  }

  close(): void {
    this.synced.clear();
    this.unsynced.clear();
  }
}
