// A shared informer (client-go's reflector + shared index informer): list the resource in
// pages, then watch from the list's resourceVersion with bookmarks, keeping a local cache
// and calling event handlers after the cache reflects each change. A 410 Gone (or an
// ERROR event) re-lists; a dropped watch resumes from the last seen resourceVersion after
// a backoff; objects gone between two lists are delivered as DeletedFinalStateUnknown.
import type { KubeObject } from '../api/resources/resource-def.js';
import { ApiError } from '../api/status/index.js';
import { isGone } from './api-status-error.js';
import { Backoff, type Logger, sleep, stderrLogger } from './backoff.js';
import { Lister } from './lister.js';
import type { ResourceType } from './resource-ref.js';
import { objectKey } from './resource-ref.js';
import type { RestClient } from './rest-client.js';
import { type IndexFunc, StoreCache } from './store-cache.js';

/** Informers retry a refused connection at least this often (see run()). */
const REFUSED_RETRY_MS = 1000;

function isRefused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(e?.message ?? '');
}

/** The last known state of an object whose deletion was missed (seen only via a re-list). */
export class DeletedFinalStateUnknown<T> {
  constructor(readonly key: string, readonly obj: T) {}
}

export interface EventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions<T> {
  /** Watch one namespace only ('' or absent: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as an update this often (0: never). */
  resyncPeriodMs?: number;
  /** List page size (client-go's reflector uses 500). */
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  log?: Logger;
  /** Name in log lines; the resource's plural by default. */
  name?: string;
  /** Applied to every object before it is cached (client-go's SetTransform), e.g. to drop managedFields. */
  transform?: (obj: T) => T;
}

interface Registration<T> { handler: EventHandler<T>; resyncMs: number; nextResync: number }

class WatchExpired extends Error {}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly cache: StoreCache<T>;
  readonly lister: Lister<T>;
  private readonly handlers = new Set<Registration<T>>();
  private readonly abort = new AbortController();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly name: string;
  /** resourceVersion of the last list, watch event or bookmark. */
  lastSyncResourceVersion = '';

  constructor(readonly client: RestClient, readonly type: ResourceType<T>, readonly opts: InformerOptions<T> = {}) {
    this.cache = new StoreCache<T>(opts.indexers);
    this.lister = new Lister(this.cache);
    this.log = opts.log ?? stderrLogger;
    this.name = opts.name ?? (type.group ? `${type.resource}.${type.group}` : type.resource);
  }

  /** Adds a handler; objects already cached are delivered to it as adds first. */
  addEventHandler(handler: EventHandler<T>, resyncPeriodMs = this.opts.resyncPeriodMs ?? 0): { remove(): void } {
    const reg: Registration<T> = { handler, resyncMs: resyncPeriodMs, nextResync: Date.now() + resyncPeriodMs };
    this.handlers.add(reg);
    if (this.synced) for (const obj of this.cache.list()) this.call(reg, 'add', () => handler.onAdd?.(obj, true));
    return { remove: () => { this.handlers.delete(reg); } };
  }

  /** Adds indices not present yet (an index of the same name is assumed to be the same function). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.cache.addIndexers(Object.fromEntries(Object.entries(indexers).filter(([name]) => !this.cache.hasIndex(name))));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered; rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error(`informer ${this.name}: stopped before it synced`));
      this.syncWaiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve(); });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts list+watch in the background (idempotent). */
  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.run();
    // Handlers may be added after start with their own periods: check them once a second.
    this.resyncTimer = setInterval(() => this.resync(), 1000);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.resyncTimer);
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const backoff = new Backoff();
    let needList = true;
    let wasRefused = false;
    while (!signal.aborted) {
      let phase: 'list' | 'watch' = needList ? 'list' : 'watch';
      try {
        if (needList) {
          await this.listAndReplace(signal);
          needList = false;
          wasRefused = false;
          backoff.reset();
        }
        phase = 'watch';
        const started = Date.now();
        const events = await this.watchOnce(signal);
        // A watch the server ends at once, again and again, must not become a hot loop.
        if (events === 0 && Date.now() - started < 1000) await sleep(backoff.step(), signal);
        else backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        if (phase === 'watch' && (err instanceof WatchExpired || isGone(err))) {
          // The store compacted past our version: start again from a fresh list, at once.
          this.log(`informer ${this.name}: watch expired (${(err as Error).message}); re-listing`);
          needList = true;
          continue;
        }
        // A failed list or a non-410 error from the server re-lists; a dropped connection re-watches.
        if (phase === 'list' || err instanceof ApiError) needList = true;
        // Nothing listens yet (a cluster starting: the API server comes up beside its
        // clients): a refused connect costs the server nothing, so try again within a
        // second rather than backing off to 30 s and syncing long after it answers.
        const refused = isRefused(err);
        const delay = refused ? Math.min(backoff.step(), REFUSED_RETRY_MS) : backoff.step();
        if (!refused || !wasRefused) this.log(`informer ${this.name}: ${phase} failed: ${(err as Error).message}; retrying in ${Math.round(delay)} ms${refused ? ' (and every second while refused)' : ''}`);
        wasRefused = refused;
        await sleep(delay, signal);
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(this.ref(), {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize ?? 500, continue: cont,
      }, signal);
      items.push(...page.items);
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.replace(items);
    this.lastSyncResourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Makes the cache equal the list, telling handlers what changed. */
  private replace(items: T[]): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (let obj of items) {
      if (this.opts.transform) obj = this.opts.transform(obj);
      if (!obj.kind) Object.assign(obj, { kind: this.type.kind, apiVersion: this.type.group ? `${this.type.group}/${this.type.version}` : this.type.version });
      const key = objectKey(obj);
      seen.add(key);
      const old = this.cache.set(obj, key);
      if (old) this.dispatch('update', (h) => h.onUpdate?.(old, obj));
      else this.dispatch('add', (h) => h.onAdd?.(obj, initial));
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.delete(key)!;
      const tombstone = new DeletedFinalStateUnknown(key, old);
      this.dispatch('delete', (h) => h.onDelete?.(tombstone));
    }
  }

  /** Follows one watch until it ends; returns how many events it carried. */
  private async watchOnce(signal: AbortSignal): Promise<number> {
    // client-go picks a random watch timeout between 5 and 10 minutes to spread re-watches.
    const timeoutSeconds = Math.floor(300 * (1 + Math.random()));
    const events = this.client.watch<T>(this.ref(), {
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.lastSyncResourceVersion, allowWatchBookmarks: true, timeoutSeconds,
    }, signal);
    let count = 0;
    for await (const ev of events) {
      count++;
      if (ev.type === 'ERROR') {
        const st = ev.object;
        if (st?.code === 410) throw new WatchExpired(st.message ?? 'Gone');
        throw new ApiError(st);
      }
      const obj = this.opts.transform && ev.type !== 'BOOKMARK' ? this.opts.transform(ev.object) : ev.object;
      const rv = obj?.metadata?.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.lastSyncResourceVersion = rv;
        continue;
      }
      const key = objectKey(obj);
      if (ev.type === 'DELETED') {
        this.cache.delete(key);
        this.dispatch('delete', (h) => h.onDelete?.(obj));
      } else {
        const old = this.cache.set(obj, key);
        if (old) this.dispatch('update', (h) => h.onUpdate?.(old, obj));
        else this.dispatch('add', (h) => h.onAdd?.(obj, false));
      }
      if (rv) this.lastSyncResourceVersion = rv;
    }
    return count;
  }

  private resync(): void {
    const now = Date.now();
    for (const reg of this.handlers) {
      if (reg.resyncMs <= 0 || now < reg.nextResync || !this.synced) continue;
      reg.nextResync = now + reg.resyncMs;
      for (const obj of this.cache.list()) this.call(reg, 'resync', () => reg.handler.onUpdate?.(obj, obj));
    }
  }

  private dispatch(what: string, fn: (h: EventHandler<T>) => void): void {
    for (const reg of this.handlers) this.call(reg, what, () => fn(reg.handler));
  }

  /** One handler throwing must not stop the informer or the other handlers. */
  private call(_reg: Registration<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log(`informer ${this.name}: ${what} handler failed: ${(err as Error).stack ?? err}`);
    }
  }

  private ref() {
    const { group, version, resource, namespaced } = this.type;
    return { group, version, resource, namespace: namespaced ? this.opts.namespace || undefined : undefined };
  }
}

/** The object behind a delete notification, tombstone or not. */
export function deletedObject<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}
