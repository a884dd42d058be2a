// Live v2 watchers, keyed by the path they watch. An event at /a/b/c is offered to the
// watchers of /, /a, /a/b and /a/b/c; a deleted directory also reaches watchers of keys
// inside it. A watcher that is not streaming is removed after its first event.
import type { V2Event } from './v2-event.js';
import { V2EventHistory } from './v2-event-history.js';

export interface V2Watcher {
  /** the store index when the watch started (X-Etcd-Index of the watch response) */
  readonly startIndex: number;
  /** resolves events in order; call remove() when the client goes away */
  onEvent(cb: (e: V2Event) => void): void;
  remove(): void;
}

class Watcher implements V2Watcher {
  private cb?: (e: V2Event) => void;
  private queued: V2Event[] = [];
  removed = false;
  constructor(
    readonly hub: V2WatcherHub,
    readonly key: string,
    readonly recursive: boolean,
    readonly stream: boolean,
    readonly sinceIndex: number,
    readonly startIndex: number,
  ) {}
  onEvent(cb: (e: V2Event) => void): void {
    this.cb = cb;
    for (const e of this.queued.splice(0)) cb(e);
  }
  deliver(e: V2Event): void {
    if (this.cb) this.cb(e);
    else this.queued.push(e);
  }
  remove(): void {
    if (!this.removed) this.hub.detach(this);
  }
}

/** Is the event's key hidden below the watched path (a "_name" segment after it)? */
function hiddenBelow(watchPath: string, keyPath: string): boolean {
  if (watchPath.length > keyPath.length) return false;
  return ('/' + keyPath.slice(watchPath.length)).includes('/_');
}

export class V2WatcherHub {
  readonly history: V2EventHistory;
  private byPath = new Map<string, Set<Watcher>>();
  count = 0;

  constructor(startIndex: number) {
    this.history = new V2EventHistory(startIndex);
  }

  watch(key: string, recursive: boolean, stream: boolean, sinceIndex: number, storeIndex: number): V2Watcher {
    const past = this.history.scan(key, recursive, sinceIndex, storeIndex);
    const w = new Watcher(this, key, recursive, stream, sinceIndex, storeIndex);
    if (past && !stream) {
      w.removed = true;
      w.deliver({ ...past, etcdIndex: storeIndex });
      return w;
    }
    if (past) w.deliver({ ...past, etcdIndex: storeIndex });
    let set = this.byPath.get(key);
    if (!set) this.byPath.set(key, (set = new Set()));
    set.add(w);
    this.count++;
    return w;
  }

  detach(w: Watcher): void {
    w.removed = true;
    const set = this.byPath.get(w.key);
    if (set?.delete(w)) {
      this.count--;
      if (set.size === 0) this.byPath.delete(w.key);
    }
  }

  /** Record the event; push it to live watchers unless it is only a TTL refresh. */
  notify(e: V2Event, deletedPaths: string[] = []): void {
    this.history.add(e);
    if (e.refresh) return;
    const seen = new Set<Watcher>();
    for (const p of deletedPaths) this.offer(e, p, true, seen);
    let curr = '';
    this.offer(e, '/', false, seen);
    for (const s of e.key.split('/').filter(Boolean)) {
      curr += '/' + s;
      this.offer(e, curr, false, seen);
    }
  }

  private offer(e: V2Event, path: string, deleted: boolean, seen: Set<Watcher>): void {
    const set = this.byPath.get(path);
    if (!set) return;
    for (const w of [...set]) {
      if (w.removed || seen.has(w)) continue;
      const original = e.key === path;
      if (hiddenBelow(path, e.key)) continue;
      if ((w.recursive || original || deleted) && e.index >= w.sinceIndex) {
        seen.add(w);
        w.deliver(e);
        if (!w.stream) this.detach(w);
      }
    }
  }

  /** End every watch (store closing). */
  closeAll(): void {
    for (const set of this.byPath.values()) for (const w of set) w.removed = true;
    this.byPath.clear();
    this.count = 0;
  }
}
