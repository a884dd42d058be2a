// One resource's watch cache: a single etcd watch on the resource's key prefix feeds an
// in-memory copy of every object (ordered by key) and a ring of recent events. Lists at
// resourceVersion=0 and every watch are served from here, so 100 watchers on pods cost one
// etcd watch. Cached objects are shared: readers must never modify them.
import btree from 'sorted-btree';
import type * as B from 'sorted-btree';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { decode, type ObjectStore } from '../storage/object-store.js';
import type { EtcdEvent, WatchHandle } from '../storage/etcd-client.js';
import { CacheEvent, EventBuffer } from './event-buffer.js';
import { CachedObject } from '../storage/object-json.js';
import type { WatchTrigger } from './watch-triggers.js';

// sorted-btree is CommonJS with an ES-style default export: from ESM the class is `.default`.
const BTree = btree.default;

export interface CacheWatcher {
  /** The value of the cache's trigger field this watcher's selector pins (it sees no other events). */
  readonly triggerValue?: string;
  onEvent(ev: CacheEvent): void;
  /** The cache stopped or lost its etcd watch; the client must re-list. */
  onClose(err: Error): void;
}

/** Thrown by watch() for a revision older than the ring holds (sent as 410 Expired). */
export class TooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

const PAGE = 1000;

export class WatchCache {
  private objects: B.default<string, CachedObject> = new BTree<string, CachedObject>();
  private readonly buffer: EventBuffer;
  /** Watches from any revision >= oldest can be served from the ring. */
  private oldest = 0;
  /** The newest revision the cache reflects (its objects are exactly the store's at this revision). */
  revision = 0;
  /**
   * The newest store revision etcd said this watch has reached (progress notifications). It can
   * run ahead of `revision` while no event of this resource happens; a watch from a version up
   * to it can start, a list cannot claim it (an event may still be on its way).
   */
  private progressRevision = 0;
  private freshWaiters: Array<{ rev: number; wake: () => void }> = [];
  /** Watchers that see every event. */
  private readonly watchers = new Set<CacheWatcher>();
  /** Watchers pinned to one value of the trigger field, by that value. */
  private readonly pinned = new Map<string, Set<CacheWatcher>>();
  private pinnedCount = 0;
  private stopWatch: WatchHandle | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  ready: Promise<void>;

  constructor(private readonly store: ObjectStore, readonly prefix: string, capacity: number,
    private readonly log: (level: number, msg: string) => void = () => {}, readonly trigger?: WatchTrigger) {
    this.buffer = new EventBuffer(capacity);
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  get watcherCount(): number { return this.watchers.size + this.pinnedCount; }
  /** Objects held (apiserver_storage_objects). */
  get objectCount(): number { return this.objects.size; }
  /** The initial list is done and the etcd watch runs (upstream's informer-sync readiness). */
  get isSynced(): boolean { return !!this.stopWatch; }
  get bufferedEvents(): number { return this.buffer.size; }
  get oldestRevision(): number { return this.oldest; }

  private async start(): Promise<void> {
    const objects = new BTree<string, CachedObject>();
    let revision = 0;
    let startKey = this.prefix;
    for (;;) {
      const page = await this.store.list(this.prefix, { revision, startKey, limit: PAGE });
      revision = revision || page.revision;
      for (const s of page.items) objects.set(s.key, new CachedObject(s.json));
      if (!page.more || page.items.length === 0) break;
      startKey = page.items[page.items.length - 1].key + '\u0000';
    }
    if (this.closed) return;
    this.objects = objects;
    this.buffer.clear();
    this.revision = revision;
    this.oldest = revision;
    this.progressRevision = revision;
    this.stopWatch = this.store.watch(this.prefix, revision + 1, (evs) => this.apply(evs), (err) => this.lost(err), (rev) => this.progress(rev));
    this.wakeFresh();
    this.log(3, `watch cache ${this.prefix} started at revision ${revision} with ${objects.size} objects`);
  }

  private apply(events: EtcdEvent[]): void {
    for (const e of events) {
      const key = e.kv.key.toString('utf8');
      const rev = Number(e.kv.mod_revision);
      const prev = this.objects.get(key) ?? (e.prev_kv?.key?.length ? new CachedObject(decode(e.prev_kv).json) : undefined);
      let ev: CacheEvent;
      if (e.type === 'DELETE') {
        if (!prev) { this.revision = Math.max(this.revision, rev); continue; }
        this.objects.delete(key);
        ev = new CacheEvent('DELETED', key, prev.atRevision(rev), prev, rev);
      } else {
        const entry = new CachedObject(decode(e.kv).json);
        this.objects.set(key, entry);
        ev = new CacheEvent(prev ? 'MODIFIED' : 'ADDED', key, entry, prev, rev);
      }
      const evicted = this.buffer.push(ev);
      if (evicted) this.oldest = evicted.revision;
      this.revision = rev;
      this.dispatch(ev);
    }
    this.wakeFresh();
  }

  /** Hands ev to every unpinned watcher and to those pinned to its new or old trigger value. */
  private dispatch(ev: CacheEvent): void {
    // A watcher that ends while being called is removed from its set: iterating on is safe.
    for (const w of this.watchers) w.onEvent(ev);
    if (!this.pinnedCount) return;
    const read = this.trigger!.read;
    const now = read(ev.obj);
    const before = ev.prev ? read(ev.prev) : undefined;
    const a = this.pinned.get(now);
    if (a) for (const w of a) w.onEvent(ev);
    if (before !== undefined && before !== now) {
      const b = this.pinned.get(before);
      if (b) for (const w of b) w.onEvent(ev);
    }
  }

  private progress(rev: number): void {
    if (rev > this.progressRevision) this.progressRevision = rev;
    this.wakeFresh();
  }

  /** The newest revision a watch can start from: what the cache holds, or what etcd said it reached. */
  get watchableRevision(): number { return Math.max(this.revision, this.progressRevision); }

  private wakeFresh(): void {
    if (!this.freshWaiters.length) return;
    const at = this.watchableRevision;
    const woken = this.freshWaiters.filter((w) => w.rev <= at);
    if (!woken.length) return;
    this.freshWaiters = this.freshWaiters.filter((w) => w.rev > at);
    for (const w of woken) w.wake();
  }

  /**
   * Waits until a watch from `rev` can be served (asking etcd for a progress notification
   * when the resource is quiet); false after `ms` (upstream's 3 s, then "Too large resource version").
   */
  async waitWatchable(rev: number, ms = 3000): Promise<boolean> {
    if (this.watchableRevision >= rev) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = { rev, wake: () => { clearTimeout(timer); clearInterval(ask); resolve(true); } };
      const timer = setTimeout(() => {
        clearInterval(ask);
        this.freshWaiters = this.freshWaiters.filter((w) => w !== waiter);
        resolve(this.watchableRevision >= rev);
      }, ms);
      this.freshWaiters.push(waiter);
      this.stopWatch?.requestProgress();
      // The store may still be short of rev: ask again while waiting.
      const ask = setInterval(() => this.stopWatch?.requestProgress(), 250);
    });
  }

  private lost(err: Error): void {
    if (this.closed) return;
    this.log(1, `watch cache ${this.prefix}: etcd watch ended (${err.message}); re-listing`);
    this.stopWatch = undefined;
    this.closeWatchers(err);
    const again = () => {
      this.retry = undefined;
      this.ready = this.start();
      this.ready.catch((e) => { this.log(1, `watch cache ${this.prefix}: ${(e as Error).message}`); if (!this.closed) this.retry = setTimeout(again, 1000); });
    };
    this.retry = setTimeout(again, 100);
  }

  private closeWatchers(err: Error): void {
    const all = [...this.watchers];
    for (const set of this.pinned.values()) all.push(...set);
    this.watchers.clear();
    this.pinned.clear();
    this.pinnedCount = 0;
    for (const w of all) w.onClose(err);
  }

  /** Objects under a key prefix (default: all), in key order, and the revision they are at. */
  list(prefix = this.prefix): { items: KubeObject[]; revision: number } {
    const { items, revision } = this.entries(prefix);
    return { items: items.map((e) => e.obj), revision };
  }

  /** As list(), as cached entries: their JSON needs no parse. */
  entries(prefix = this.prefix): { items: CachedObject[]; revision: number } {
    const items: CachedObject[] = [];
    for (const [k, v] of this.objects.entries(prefix)) {
      if (!k.startsWith(prefix)) break;
      items.push(v);
    }
    return { items, revision: this.revision };
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key)?.obj;
  }

  /** The cached entry of a key (its JSON and, parsed on demand, its object). */
  entry(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  /**
   * Delivers every event after `from` (those still in the ring first, synchronously), then
   * new ones as they come. Throws TooOldError when the ring no longer reaches back to `from`.
   */
  watch(from: number, w: CacheWatcher): () => void {
    if (from < this.oldest) throw new TooOldError(from, this.oldest);
    for (const ev of this.buffer.since(from)) w.onEvent(ev);
    // A watch may start ahead of the cache (from a progress notification): skip what it already has.
    const live: CacheWatcher = from > this.revision
      ? { triggerValue: w.triggerValue, onEvent: (ev) => { if (ev.revision > from) w.onEvent(ev); }, onClose: (err) => w.onClose(err) }
      : w;
    const value = this.trigger ? live.triggerValue : undefined;
    if (value === undefined) {
      this.watchers.add(live);
      return () => { this.watchers.delete(live); };
    }
    let set = this.pinned.get(value);
    if (!set) this.pinned.set(value, set = new Set());
    set.add(live);
    this.pinnedCount++;
    return () => {
      const s = this.pinned.get(value);
      if (!s?.delete(live)) return;
      this.pinnedCount--;
      if (!s.size) this.pinned.delete(value);
    };
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopWatch?.();
    this.closeWatchers(new Error('watch cache stopped'));
  }
}
