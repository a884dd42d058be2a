// One resource's watch cache: a single etcd watch on the resource's key prefix feeds an
// in-memory copy of every object (ordered by key) and a ring of recent events. Lists at
// resourceVersion=0 and every watch are served from here, so 100 watchers on pods cost one
// etcd watch. Cached objects are shared: readers must never modify them.
import btree from 'sorted-btree';
import type * as B from 'sorted-btree';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { decode, type ObjectStore } from '../storage/object-store.js';
import type { EtcdEvent } from '../storage/etcd-client.js';
import { type CacheEvent, EventBuffer } from './event-buffer.js';

// sorted-btree is CommonJS with an ES-style default export: from ESM the class is `.default`.
const BTree = btree.default;

export interface CacheWatcher {
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
  private objects: B.default<string, KubeObject> = new BTree<string, KubeObject>();
  private readonly buffer: EventBuffer;
  /** Watches from any revision >= oldest can be served from the ring. */
  private oldest = 0;
  /** The newest revision the cache reflects. */
  revision = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private stopWatch: (() => void) | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  ready: Promise<void>;

  constructor(private readonly store: ObjectStore, readonly prefix: string, capacity: number,
    private readonly log: (level: number, msg: string) => void = () => {}) {
    this.buffer = new EventBuffer(capacity);
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  get watcherCount(): number { return this.watchers.size; }
  get bufferedEvents(): number { return this.buffer.size; }
  get oldestRevision(): number { return this.oldest; }

  private async start(): Promise<void> {
    const objects = new BTree<string, KubeObject>();
    let revision = 0;
    let startKey = this.prefix;
    for (;;) {
      const page = await this.store.list(this.prefix, { revision, startKey, limit: PAGE });
      revision = revision || page.revision;
      for (const s of page.items) objects.set(s.key, s.obj);
      if (!page.more || page.items.length === 0) break;
      startKey = page.items[page.items.length - 1].key + '\u0000';
    }
    if (this.closed) return;
    this.objects = objects;
    this.buffer.clear();
    this.revision = revision;
    this.oldest = revision;
    this.stopWatch = this.store.watch(this.prefix, revision + 1, (evs) => this.apply(evs), (err) => this.lost(err));
    this.log(3, `watch cache ${this.prefix} started at revision ${revision} with ${objects.size} objects`);
  }

  private apply(events: EtcdEvent[]): void {
    for (const e of events) {
      const key = e.kv.key.toString('utf8');
      const rev = Number(e.kv.mod_revision);
      const prev = this.objects.get(key) ?? (e.prev_kv?.key?.length ? decode(e.prev_kv).obj : undefined);
      let ev: CacheEvent;
      if (e.type === 'DELETE') {
        if (!prev) { this.revision = Math.max(this.revision, rev); continue; }
        const last = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rev) } };
        this.objects.delete(key);
        ev = { type: 'DELETED', key, obj: last, prev, revision: rev };
      } else {
        const obj = decode(e.kv).obj;
        this.objects.set(key, obj);
        ev = { type: prev ? 'MODIFIED' : 'ADDED', key, obj, prev, revision: rev };
      }
      const evicted = this.buffer.push(ev);
      if (evicted) this.oldest = evicted.revision;
      this.revision = rev;
      for (const w of [...this.watchers]) w.onEvent(ev);
    }
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
    this.watchers.clear();
    for (const w of all) w.onClose(err);
  }

  /** Objects under a key prefix (default: all), in key order, and the revision they are at. */
  list(prefix = this.prefix): { items: KubeObject[]; revision: number } {
    const items: KubeObject[] = [];
    for (const [k, v] of this.objects.entries(prefix)) {
      if (!k.startsWith(prefix)) break;
      items.push(v);
    }
    return { items, revision: this.revision };
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /**
   * Delivers every event after `from` (those still in the ring first, synchronously), then
   * new ones as they come. Throws TooOldError when the ring no longer reaches back to `from`.
   */
  watch(from: number, w: CacheWatcher): () => void {
    if (from < this.oldest) throw new TooOldError(from, this.oldest);
    for (const ev of this.buffer.since(from)) w.onEvent(ev);
    this.watchers.add(w);
    return () => { this.watchers.delete(w); };
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopWatch?.();
    this.closeWatchers(new Error('watch cache stopped'));
  }
}
