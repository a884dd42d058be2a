// The watch caches of every served resource, one per etcd key prefix (core/v1 and
// events.k8s.io/v1 events share one). Started with the server, and as CRDs come and go.
import type { ResourceDef } from '../../api/resources/resource-def.js';
import { resourcePrefix } from '../registry/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { WatchCache } from './watch-cache.js';
import { watchTrigger } from './watch-triggers.js';

/** Events kept per resource unless --default-watch-cache-size says otherwise. */
export const DEFAULT_WATCH_CACHE_SIZE = 1000;

export class CacheSet {
  private readonly caches = new Map<string, WatchCache>();

  constructor(private readonly store: ObjectStore, private readonly etcdPrefix: string,
    private readonly capacity = DEFAULT_WATCH_CACHE_SIZE, private readonly log: (level: number, msg: string) => void = () => {}) {}

  /** The cache holding def's objects, started on first use. */
  for(def: ResourceDef): WatchCache {
    const prefix = resourcePrefix(this.etcdPrefix, def);
    let c = this.caches.get(prefix);
    if (!c) this.caches.set(prefix, c = new WatchCache(this.store, prefix, this.capacity, this.log, watchTrigger(def)));
    return c;
  }

  /** Stops the cache of a resource that is no longer served (a deleted CRD). */
  drop(def: ResourceDef): void {
    const prefix = resourcePrefix(this.etcdPrefix, def);
    this.caches.get(prefix)?.close();
    this.caches.delete(prefix);
  }

  /** Every cache has listed and is watching. */
  get synced(): boolean { for (const c of this.caches.values()) if (!c.isSynced) return false; return true; }

  /** Objects per resource prefix ("pods", "services/specs"), for apiserver_storage_objects. */
  objectCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [p, c] of this.caches) out.set(p.slice(this.etcdPrefix.length + 1, -1), c.objectCount);
    return out;
  }

  /** How many etcd watches the caches hold (one each), for /metrics and tests. */
  get etcdWatches(): number { return this.caches.size; }

  metrics(): string {
    const lines = ['# HELP apiserver_watch_cache_events Events held in the watch cache ring, by resource prefix.', '# TYPE apiserver_watch_cache_events gauge'];
    for (const [p, c] of this.caches) lines.push(`apiserver_watch_cache_events{prefix="${p}"} ${c.bufferedEvents}`);
    lines.push('# HELP apiserver_watch_cache_watchers Watchers served from the watch cache, by resource prefix.', '# TYPE apiserver_watch_cache_watchers gauge');
    for (const [p, c] of this.caches) lines.push(`apiserver_watch_cache_watchers{prefix="${p}"} ${c.watcherCount}`);
    lines.push('# HELP apiserver_watch_cache_resource_version Newest revision each watch cache reflects.', '# TYPE apiserver_watch_cache_resource_version gauge');
    for (const [p, c] of this.caches) lines.push(`apiserver_watch_cache_resource_version{prefix="${p}"} ${c.revision}`);
    lines.push('# HELP apiserver_watch_cache_etcd_watches etcd watches held by the watch caches.', '# TYPE apiserver_watch_cache_etcd_watches gauge', `apiserver_watch_cache_etcd_watches ${this.caches.size}`);
    return lines.join('\n') + '\n';
  }

  close(): void {
    for (const c of this.caches.values()) c.close();
    this.caches.clear();
  }
}
