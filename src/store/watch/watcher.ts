// One watcher: its key range, filters and the next revision it is owed.
import type { WatchOptions, WatchSink } from '../kv-store.js';
import type { Event } from '../mvcc/key-value.js';
import { inRange, toKeyRange, type KeyRange } from '../mvcc/key-range.js';

export class WatcherState {
  readonly range: KeyRange;
  readonly prevKv: boolean;
  private readonly noPut: boolean;
  private readonly noDelete: boolean;
  /** the lowest revision not yet delivered */
  nextRev = 0;
  cancelled = false;
  /** caught up with the store (in the hub's synced set) */
  synced = false;

  constructor(
    opts: WatchOptions,
    readonly sink: WatchSink,
  ) {
    this.range = toKeyRange(opts.key, opts.rangeEnd);
    this.prevKv = !!opts.prevKv;
    this.noPut = !!opts.filterPut;
    this.noDelete = !!opts.filterDelete;
  }

  matches(key: string): boolean {
    return inRange(this.range, key);
  }

  /** the event as this watcher should see it, or undefined when filtered out */
  shape(ev: Event): Event | undefined {
    if ((ev.type === 'PUT' && this.noPut) || (ev.type === 'DELETE' && this.noDelete)) return undefined;
    if (this.prevKv || !ev.prev_kv) return ev;
    return { type: ev.type, kv: ev.kv };
  }
}
