// Kubernetes REST semantics over the object store: create, get, list, update (optimistic
// concurrency), delete (grace, preconditions, finalizers), with defaults and validation.
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import {
  newAlreadyExists, newBadRequest, newConflict, newForbidden, newGone, newInternalError, newInvalid, newNotFound, newResourceExpired, newTooLargeResourceVersion,
  type ApiError, type FieldError,
} from '../../api/status/index.js';
import type { FieldSelector, LabelSelector } from '../../api/selectors/index.js';
import { selectorMatcher } from './selector-matcher.js';
import { sameContent } from './same-content.js';
import { cloneJSON } from '../../api/json/json-clone.js';
import { validateObjectMeta } from '../../api/validation/object-meta.js';
import type { ObjectStore, Stored } from '../storage/object-store.js';
import { namespaces } from '../../api/resources/core-v1.js';
import { listPrefix, objectKey } from './keys.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { fillCreateMeta, generateName, keepServerMeta, nowTimestamp } from './object-meta.js';
import { recordUpdate } from '../../api/patch/index.js';
import type { CacheSet } from '../cache/cache-set.js';
import type { WatchCache } from '../cache/watch-cache.js';
import { boundToRequest, rollBack, type AdmissionCall, type AdmissionHook } from '../admission/admission-hook.js';
import type { RequestScope } from '../admission/request-scope.js';
import { LeaseManager } from '../storage/lease-manager.js';
import { type CachedObject, encodeStored, rememberJSON, spliceResourceVersion, unspliceResourceVersion } from '../storage/object-json.js';

export interface StorageHooks {
  /** Runs before the object is stored (allocations); may throw an ApiError. */
  beforeCreate?(obj: KubeObject, dryRun: boolean): Promise<void>;
  /** Undoes beforeCreate when the write did not happen. */
  createFailed?(obj: KubeObject): Promise<void>;
  beforeUpdate?(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<void>;
  /** Undoes beforeUpdate when the write did not happen (conflict, error, nothing to write). */
  updateFailed?(next: KubeObject, old: KubeObject): Promise<void>;
  /** Runs once the update is stored (release what the old object held and the new one does not). */
  afterUpdate?(next: KubeObject, old: KubeObject): Promise<void>;
  afterDelete?(obj: KubeObject): Promise<void>;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  /** NotOlderThan or Exact (with resourceVersion); unset: upstream's legacy meaning. */
  resourceVersionMatch?: string;
}

export interface ListResult { items: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number }

/** An object with its served JSON (lists write the JSON; the object is parsed only when read). */
export interface ObjectEntry {
  readonly json: string; readonly obj: KubeObject;
  /** The JSON already encoded, where the entry keeps it (watch-cache objects): lists send it without encoding. */
  readonly bytes?: Buffer;
}
export interface EntryList { entries: ObjectEntry[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number }

/** The served form of an entry: itself, or converted (events.k8s.io, other CRD versions). */
function servedEntry(def: ResourceDef, e: ObjectEntry): ObjectEntry {
  if (!def.convert) return e;
  const obj = served(def, e.obj);
  return { obj, get json() { return JSON.stringify(obj); } };
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  dryRun?: boolean;
}

/** Who writes: recorded in metadata.managedFields unless the write was an apply (already recorded). */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** managedFields were set by server-side apply; leave them as they are. */
  applied?: boolean;
  /** create: the caller gives the body up (a request's freshly decoded body), so it is used without a copy. */
  bodyOwned?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  subresource?: string;
  /** Build the object to create when it does not exist (apply, AllowCreateOnUpdate). */
  createIfMissing?: () => KubeObject | undefined;
}

/** The served form of a stored object (a copy when the resource converts; else the same object). */
export const served = (def: ResourceDef, obj: KubeObject): KubeObject => (def.convert ? def.convert.fromStorage(obj) : obj);
/** The apiVersion objects of def are stored with. */
export const storedApiVersion = (def: ResourceDef, fallback?: string): string =>
  (def.convert && fallback) ? fallback : (def.group ? `${def.group}/${def.version}` : def.version);

const gr = (def: ResourceDef) => ({ group: def.group, resource: def.plural });
const gk = (def: ResourceDef) => ({ group: def.group, kind: def.kind });
const clone = <T>(o: T): T => structuredClone(o);

/** etcd's "mvcc: required revision is a future revision". */
export function isFutureRevision(err: unknown): boolean {
  return /future revision/.test(String((err as any)?.details ?? (err as any)?.message ?? ''));
}

/** The object an update or delete starts from; `live` when read from etcd, not the watch cache. */
interface Current {
  obj: KubeObject;
  modRevision: number;
  stale?: boolean;
  live: boolean;
  /** A fresh copy the caller may modify. */
  copy(): KubeObject;
  /** The stored text (to tell a no-op write). */
  text(): string;
}

const fromStore = (s: Stored): Current => ({
  obj: s.obj, modRevision: s.modRevision, stale: s.stale, live: true, copy: () => JSON.parse(s.json) as KubeObject, text: () => s.text,
});

function fromCache(e: CachedObject): Current {
  const obj = e.obj;
  return {
    // the copy is of the object already parsed (the watch cache parsed it for selectors, or just now), not a second parse
    obj, modRevision: Number(obj.metadata?.resourceVersion), live: false, copy: () => cloneJSON(obj),
    text: () => unspliceResourceVersion(e.json) ?? encodeStored(obj),
  };
}

/** One write attempt: its result, or the live object to retry with. */
type Attempt<T> = { result: T } | { retryWith: Current | undefined };
type UpdateOutcome = Attempt<{ obj: KubeObject; created: boolean }>;

/** A cached read could not be trusted for the answer; the update is redone on the live object. */
class StaleRead extends Error {}

export function isCompacted(err: unknown): boolean {
  return /compacted/.test(String((err as any)?.details ?? (err as any)?.message ?? ''));
}

export class Registry {
  private caches: CacheSet | undefined;
  /** Admission (src/apiserver/admission): mutating before validation, validating after. */
  admission?: AdmissionHook;
  private readonly leases: LeaseManager;

  constructor(
    private readonly store: ObjectStore,
    readonly etcdPrefix: string,
    private readonly hooks: Map<string, StorageHooks> = new Map(),
    private readonly eventTtlSeconds = 3600,
  ) {
    this.leases = new LeaseManager(store.etcd);
  }

  /** The lease an object of def is written with: events expire --event-ttl after every write, as upstream's TTLFunc. */
  private leaseFor(def: ResourceDef): Promise<string> | undefined {
    return def.ttl === 'event' ? this.leases.lease(this.eventTtlSeconds) : undefined;
  }

  /**
   * This registry acting for one request: the same store, caches and hooks, with admission
   * bound to the request's user, warnings and audit annotations. What handlers write through;
   * writes through the registry itself are the server's own and are not admitted.
   */
  forRequest(scope: RequestScope): Registry {
    const view = Object.create(this) as Registry;
    if (this.admission) view.admission = boundToRequest(this.admission, scope);
    return view;
  }

  /** This registry writing what a request already admitted in another form (pods/binding: the Binding was admitted, not the pod update it makes). */
  admitted(): Registry {
    const view = Object.create(this) as Registry;
    view.admission = undefined;
    return view;
  }

  key(def: ResourceDef, ns: string, name: string): string { return objectKey(this.etcdPrefix, def, ns, name); }

  /** Serve watches and resourceVersion=0 lists from these watch caches. */
  useCaches(caches: CacheSet): void { this.caches = caches; }

  /** The watch cache of def, ready to serve (undefined when the server runs without caches). */
  async cache(def: ResourceDef): Promise<WatchCache | undefined> {
    if (!this.caches) return undefined;
    const c = this.caches.for(def);
    await c.ready;
    return c;
  }

  /**
   * The server's own lookups (admission plugins, authorizers) read the watch cache, as
   * upstream's read informers: no etcd round trip per request. A miss falls back to etcd,
   * so an object created a moment ago (a new namespace) is never reported missing.
   */
  async lookup(def: ResourceDef, ns: string, name: string): Promise<KubeObject | undefined> {
    const cache = await this.cache(def);
    const hit = cache?.get(this.key(def, ns, name));
    if (hit) return served(def, hit);
    return this.get(def, ns, name).catch((err) => {
      if ((err as { reason?: string }).reason === 'NotFound') return undefined;
      throw err;
    });
  }

  /** Every object of def in ns (all namespaces for ''), from the watch cache when there is one. */
  async lookupList(def: ResourceDef, ns: string): Promise<KubeObject[]> {
    const cache = await this.cache(def);
    if (!cache) return (await this.list(def, ns)).items;
    return cache.list(listPrefix(this.etcdPrefix, def, ns)).items.map((o) => served(def, o));
  }

  async get(def: ResourceDef, ns: string, name: string): Promise<KubeObject> {
    return (await this.getEntry(def, ns, name)).obj;
  }

  /** get() as an entry in served form: its JSON needs no parse. */
  async getEntry(def: ResourceDef, ns: string, name: string): Promise<ObjectEntry> {
    const found = await this.store.get(this.key(def, ns, name));
    if (!found) throw newNotFound(gr(def), name);
    return servedEntry(def, found);
  }

  /**
   * Upstream's list semantics: no resourceVersion is a consistent read (the watch cache once it
   * has caught up with etcd's current revision, else etcd; etcd when paged); "0" is any
   * version (the watch cache, unpaged); NotOlderThan (or a bare version on an unpaged list)
   * is the cache once it has reached that version, else etcd's newest, and 504 "Too large
   * resource version" when etcd itself is behind after 3 s; Exact (or a bare version with a
   * limit, and continue tokens) reads etcd at exactly that revision.
   */
  async list(def: ResourceDef, ns: string, opts: ListOptions = {}): Promise<ListResult> {
    const { entries, ...rest } = await this.listEntries(def, ns, opts);
    return { ...rest, items: entries.map((e) => e.obj) };
  }

  /** list() as entries, in served form: a handler writes their JSON without a parse. */
  async listEntries(def: ResourceDef, ns: string, opts: ListOptions = {}): Promise<EntryList> {
    const rv = opts.resourceVersion;
    let result: EntryList;
    if (!rv && !opts.continueToken && !(opts.limit && opts.limit > 0)) {
      result = await this.consistentListFromCache(def, ns, opts) ?? await this.listFromStore(def, ns, opts, 0);
    } else if (opts.continueToken || !rv) {
      result = await this.listFromStore(def, ns, opts, 0);
    } else if (opts.resourceVersionMatch === 'Exact' || (!opts.resourceVersionMatch && opts.limit && opts.limit > 0 && rv !== '0')) {
      result = await this.listFromStore(def, ns, opts, Number(rv));
    } else {
      const min = Number(rv);
      const fromCache = !(opts.limit && opts.limit > 0 && min > 0) ? await this.listFromCache(def, ns, opts, min) : undefined;
      if (fromCache) return fromCache;
      result = await this.listFromStore(def, ns, opts, 0);
      for (const deadline = Date.now() + 3000; Number(result.resourceVersion) < min;) {
        if (Date.now() >= deadline) throw newTooLargeResourceVersion(min, result.resourceVersion);
        await new Promise((r) => setTimeout(r, 100));
        result = await this.listFromStore(def, ns, opts, 0);
      }
    }
    return result;
  }

  private filtered(opts: ListOptions): boolean {
    return !!(opts.labelSelector && !opts.labelSelector.isEmpty()) || !!(opts.fieldSelector && !opts.fieldSelector.isEmpty());
  }

  /**
   * A consistent (no resourceVersion), unpaged list from the watch cache, as upstream's
   * ConsistentListFromCache (on by default since 1.31): etcd's current revision is read (one
   * cheap range), the cache waits until its watch has reached it (asking etcd for a progress
   * notification when the resource is quiet), and the list is the cache's. undefined when the
   * cache is not synced or does not catch up within 3 s, or, on an etcd whose progress
   * notifications can run ahead of its events, when the cache's events have not reached it (then
   * etcd serves it, as upstream).
   */
  private async consistentListFromCache(def: ResourceDef, ns: string, opts: ListOptions): Promise<EntryList | undefined> {
    if (!this.caches) return undefined;
    const cache = this.caches.for(def);
    if (!cache.isSynced) return undefined;
    const current = await this.store.currentRevision();
    if (!cache.isSynced) return undefined;
    // Without trustworthy progress notifications only the cache's own events show it has caught up.
    const trusted = await this.store.supportsWatchProgress();
    if (trusted ? !(await cache.waitWatchable(current)) : cache.revision < current) return undefined;
    const snap = cache.entries(listPrefix(this.etcdPrefix, def, ns));
    // No event of this resource lies between the objects' revision and the one etcd's progress
    // notification reported, so the objects are exactly the store's at the later one too.
    const at = trusted ? Math.max(snap.revision, cache.watchableRevision) : snap.revision;
    return { entries: this.selected(def, snap.items, opts), resourceVersion: String(at) };
  }

  /** The served form of cached entries that match the selectors. */
  private selected(def: ResourceDef, items: CachedObject[], opts: ListOptions): ObjectEntry[] {
    const matches = this.filtered(opts) ? selectorMatcher(def, opts) : undefined;
    const entries: ObjectEntry[] = [];
    for (const e of items) {
      const out = servedEntry(def, e);
      if (!matches || matches(out.obj)) entries.push(out);
    }
    return entries;
  }

  /** The watch cache's objects when it has reached `min` (0: any version), unpaged as upstream. */
  private async listFromCache(def: ResourceDef, ns: string, opts: ListOptions, min: number): Promise<EntryList | undefined> {
    if (!this.caches) return undefined;
    const cache = await this.cache(def);
    if (!cache || cache.revision < min) return undefined;
    const snap = cache.entries(listPrefix(this.etcdPrefix, def, ns));
    const entries = this.selected(def, snap.items, opts);
    return { entries, resourceVersion: String(snap.revision || await this.store.currentRevision()) };
  }

  /** Reads etcd at `exact` (0: newest), or at the continue token's revision. */
  private async listFromStore(def: ResourceDef, ns: string, opts: ListOptions, exact: number): Promise<EntryList> {
    const prefix = listPrefix(this.etcdPrefix, def, ns);
    let revision = exact;
    let startKey = prefix;
    if (opts.continueToken) {
      const c = decodeContinue(opts.continueToken);
      revision = c.revision;
      startKey = prefix + c.start;
    }
    const matches = this.filtered(opts) ? selectorMatcher(def, opts) : undefined;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const entries: ObjectEntry[] = [];
    let continueToken: string | undefined;
    let remainingItemCount: number | undefined;
    for (;;) {
      let page;
      try {
        page = await this.store.list(prefix, { revision, startKey, limit: limit ? Math.max(limit - entries.length, matches ? 100 : 0) : 0 });
      } catch (err) {
        if (isFutureRevision(err)) throw newTooLargeResourceVersion(revision, await this.store.currentRevision());
        if (isCompacted(err) && !opts.continueToken) throw newGone('The resourceVersion for the provided list is too old.');
        if (isCompacted(err)) throw newResourceExpired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        throw err;
      }
      revision = revision || page.revision;
      for (let i = 0; i < page.items.length; i++) {
        const s = page.items[i];
        const out = servedEntry(def, s);
        if (!matches || matches(out.obj)) entries.push(out);
        if (limit && entries.length >= limit) {
          const more = i < page.items.length - 1 || page.more;
          if (more) {
            continueToken = encodeContinue(revision, s.key.slice(prefix.length) + '\u0000');
            if (!matches) remainingItemCount = page.remaining + (page.items.length - 1 - i);
          }
          return { entries, resourceVersion: String(revision), continueToken, remainingItemCount };
        }
      }
      if (!page.more || page.items.length === 0) break;
      startKey = page.items[page.items.length - 1].key + '\u0000';
    }
    return { entries, resourceVersion: String(revision) };
  }

  matches(def: ResourceDef, obj: KubeObject, opts: { labelSelector?: LabelSelector; fieldSelector?: FieldSelector }): boolean {
    return selectorMatcher(def, opts)(obj);
  }

  private validate(def: ResourceDef, obj: KubeObject, old?: KubeObject): void {
    const errs: FieldError[] = [
      ...validateObjectMeta(obj, { namespaced: def.namespaced, nameIsLabel: def.nameIsLabel, nameIsPathSegment: def.nameIsPathSegment }),
      ...(def.validate?.(obj, old) ?? []),
    ];
    if (errs.length) throw newInvalid(gk(def), obj.metadata?.name ?? '', errs);
  }

  private async checkNamespace(def: ResourceDef, ns: string): Promise<void> {
    if (!def.namespaced) return;
    // The namespaces cache answers for a live namespace; a miss or a terminating one is checked in etcd.
    const cached = this.caches?.for(namespaces).get(this.key(namespaces, '', ns));
    if (cached && !cached.metadata?.deletionTimestamp && cached.status?.phase !== 'Terminating') return;
    const found = await this.store.get(this.key(namespaces, '', ns));
    if (!found) throw newNotFound(gr(namespaces), ns);
    if (found.obj.metadata?.deletionTimestamp || found.obj.status?.phase === 'Terminating') {
      throw newForbidden(gr(def), found.obj.metadata?.name ?? ns, `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  /** managedFields after a non-apply write by opts.fieldManager. */
  private recordManager(def: ResourceDef, before: KubeObject | undefined, after: KubeObject, opts: WriteOptions, subresource?: string): KubeObject {
    if (opts.applied || !opts.fieldManager) {
      if (!opts.applied && before?.metadata?.managedFields) after.metadata!.managedFields = before.metadata.managedFields;
      return after;
    }
    const sub = subresource === 'allfields' ? undefined : subresource;
    return recordUpdate({ group: def.group, kind: def.kind }, before, after, {
      manager: opts.fieldManager, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, now: nowTimestamp(),
      subresource: sub, includeStatus: !def.hasStatus,
    });
  }

  /** Creates from a copy of `body` (from body itself with opts.bodyOwned). */
  async create(def: ResourceDef, ns: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    let obj = opts.bodyOwned ? body : clone(body);
    if (def.convert) obj = def.convert.toStorage(obj);
    obj.metadata ??= {};
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ns;
    } else {
      delete obj.metadata.namespace;
    }
    if (obj.metadata.resourceVersion) throw newInternalError('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    fillCreateMeta(obj, !!def.generation);
    def.prepareForCreate?.(obj);
    def.defaults?.(obj);
    const admit = { operation: 'CREATE' as const, def, namespace: ns, name: obj.metadata.name, dryRun: !!opts.dryRun };
    if (this.admission) { obj = (await this.admission.mutate({ ...admit, object: obj })) ?? obj; def.defaults?.(obj); }
    if (!opts.applied) delete obj.metadata!.managedFields;
    obj = this.recordManager(def, undefined, obj, opts);
    this.validate(def, obj);
    await this.checkNamespace(def, ns);
    const validated: AdmissionCall = { ...admit, object: obj, rollback: [] };
    await this.admission?.validate(validated);
    const hooks = this.hooks.get(def.plural);
    try {
      await hooks?.beforeCreate?.(obj, !!opts.dryRun);
    } catch (err) {
      await rollBack(validated);
      throw err;
    }
    if (opts.dryRun) return served(def, obj);
    let rev: number | undefined;
    const text = encodeStored(obj);
    try {
      rev = await this.store.create(this.key(def, ns, obj.metadata!.name), text, await this.leaseFor(def));
    } catch (err) {
      await hooks?.createFailed?.(obj);
      await rollBack(validated);
      throw err;
    }
    if (rev === undefined) {
      await hooks?.createFailed?.(obj);
      await rollBack(validated);
      throw newAlreadyExists(gr(def), obj.metadata!.name);
    }
    obj.metadata!.resourceVersion = String(rev);
    return this.withJSON(def, obj, text, rev);
  }

  /** The served object, remembering its JSON (the stored text with its revision) for the response. */
  private withJSON(def: ResourceDef, obj: KubeObject, text: string, rev: number): KubeObject {
    if (def.convert) return served(def, obj);
    const json = spliceResourceVersion(text, rev);
    return json === undefined ? obj : rememberJSON(obj, json);
  }

  /**
   * Where an update or delete starts: the watch cache's copy when it has one (upstream's
   * cachedExistingObject: no etcd read), else etcd. Work done on a cached copy that turns out
   * stale is redone on the live object (see update()).
   */
  /**
   * Runs a write attempt on `cur`. An error from a cached copy may come from its staleness:
   * then the attempt is to be redone on the live object, unless the live one is the same.
   */
  private async onCurrent<T>(def: ResourceDef, key: string, cur: Current, attempt: (cur: Current) => Promise<Attempt<T>>): Promise<Attempt<T>> {
    try {
      return await attempt(cur);
    } catch (err) {
      if (cur.live) throw err;
      const live = await this.current(def, key, false);
      if (!(err instanceof StaleRead) && live && live.modRevision === cur.modRevision) throw err;
      return { retryWith: live };
    }
  }

  private async current(def: ResourceDef, key: string, tryCache: boolean): Promise<Current | undefined> {
    if (tryCache && this.caches && !this.store.transforms) {
      const cache = this.caches.for(def);
      const entry = cache.isSynced ? cache.entry(key) : undefined;
      if (entry) return fromCache(entry);
    }
    const stored = await this.store.get(key);
    return stored && fromStore(stored);
  }

  /**
   * Reads, applies `mutate`, writes with a mod_revision compare; retries when someone else
   * wrote in between unless the caller pinned a resourceVersion (then 409 Conflict). The
   * read comes from the watch cache when it can; a failed compare returns the live value in
   * the same transaction, so an update is usually one etcd round trip. `mutate` gets a fresh
   * copy of the current object, its own to modify (a patch is applied to it in place), and
   * must return an object the registry may modify (a new one on every call).
   */
  async update(def: ResourceDef, ns: string, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, opts: UpdateOptions = {}): Promise<{ obj: KubeObject; created: boolean }> {
    const key = this.key(def, ns, name);
    let cur = await this.current(def, key, true);
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!cur) {
        const fresh = opts.createIfMissing?.();
        if (!fresh) throw newNotFound(gr(def), name);
        try {
          return { obj: await this.create(def, ns, fresh, opts), created: true };
        } catch (err) {
          if ((err as ApiError).reason === 'AlreadyExists') { cur = await this.current(def, key, false); continue; }
          throw err;
        }
      }
      const outcome = await this.onCurrent(def, key, cur, (c) => this.tryUpdate(def, ns, name, key, c, mutate, opts));
      if ('result' in outcome) return outcome.result;
      cur = outcome.retryWith;
    }
    throw newConflict(gr(def), name);
  }

  /** One update attempt on `cur`: the result, or the live object to retry with after a failed compare. */
  private async tryUpdate(def: ResourceDef, ns: string, name: string, key: string, cur: Current,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, opts: UpdateOptions): Promise<UpdateOutcome> {
    const external = await mutate(def.convert ? served(def, cur.copy()) : cur.copy());
    const proposed = def.convert ? def.convert.toStorage(clone(external)) : external;
    proposed.metadata ??= {};
    const pinned = proposed.metadata.resourceVersion;
    if (proposed.metadata.name && proposed.metadata.name !== name) throw newBadRequest(`the name of the object (${proposed.metadata.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && proposed.metadata.namespace && proposed.metadata.namespace !== ns) throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (pinned && pinned !== String(cur.modRevision)) throw newConflict(gr(def), name);
    if (!opts.applied) delete proposed.metadata.managedFields;
    let prepared = this.prepareUpdate(def, proposed, cur, opts.subresource);
    const admit = { operation: 'UPDATE' as const, def, namespace: ns, name, oldObject: cur.obj, subresource: opts.subresource, dryRun: !!opts.dryRun };
    if (this.admission) prepared = (await this.admission.mutate({ ...admit, object: prepared })) ?? prepared;
    const next = this.recordManager(def, cur.obj, prepared, opts, opts.subresource);
    if (opts.subresource !== 'allfields') this.validate(def, next, cur.obj);
    await this.admission?.validate({ ...admit, object: next });
    const hooks = this.hooks.get(def.plural);
    await hooks?.beforeUpdate?.(next, cur.obj, !!opts.dryRun);
    const text = encodeStored(next);
    // Equal text is a no-op at once; otherwise compare the objects (key order and managedFields times aside).
    const unchanged = (text === cur.text() || sameContent(next, cur.obj)) && !cur.stale;
    if (opts.dryRun) return { result: { obj: served(def, unchanged ? cur.obj : next), created: false } };
    let committed = false;
    try {
      if (unchanged) {
        // Nothing to write; a cached copy must still be the live one to answer with it.
        if (!cur.live) throw new StaleRead();
        return { result: { obj: served(def, cur.obj), created: false } };
      }
      // An object being deleted goes away once its last finalizer is removed.
      if (next.metadata?.deletionTimestamp && !(next.metadata.finalizers ?? []).length && (def !== namespaces || !(next.spec?.finalizers ?? []).length)) {
        const { revision, current } = await this.store.deleteOrCurrent(key, cur.modRevision);
        if (revision === undefined) { if (pinned) throw newConflict(gr(def), name); return { retryWith: current && fromStore(current) }; }
        committed = true;
        await hooks?.afterUpdate?.(next, cur.obj);
        await hooks?.afterDelete?.(next);
        next.metadata.resourceVersion = String(revision);
        return { result: { obj: served(def, next), created: false } };
      }
      const { revision, current } = await this.store.updateOrCurrent(key, text, cur.modRevision, await this.leaseFor(def));
      if (revision === undefined) {
        // A pinned version that was current when read: someone else wrote since (409). A cached read just raced.
        if (pinned && cur.live) throw newConflict(gr(def), name);
        return { retryWith: current && fromStore(current) };
      }
      committed = true;
      await hooks?.afterUpdate?.(next, cur.obj);
      next.metadata!.resourceVersion = String(revision);
      return { result: { obj: this.withJSON(def, next, text, revision), created: false } };
    } finally {
      if (!committed) await hooks?.updateFailed?.(next, cur.obj);
    }
  }

  /** Spec/status split, server-owned metadata, defaults and the generation bump. */
  private prepareUpdate(def: ResourceDef, proposed: KubeObject, cur: Current, subresource?: string): KubeObject {
    const old = cur.obj;
    let next: KubeObject;
    if (subresource === 'status') {
      next = cur.copy();
      next.status = proposed.status;
      next.metadata = { ...proposed.metadata };
    } else if (subresource === 'approval') {
      // CSR approval writes only the Approved/Denied conditions.
      next = cur.copy();
      next.status = { ...(old.status ?? {}), conditions: proposed.status?.conditions };
      next.metadata = { ...proposed.metadata };
    } else {
      next = proposed;
      if (def.hasStatus && subresource !== 'allfields') next.status = clone(old.status);
    }
    next.kind = def.convert ? (proposed.kind ?? old.kind) : def.kind;
    next.apiVersion = storedApiVersion(def, proposed.apiVersion ?? old.apiVersion);
    keepServerMeta(next, old);
    if (def.namespaced) next.metadata!.namespace = old.metadata?.namespace;
    if (def === namespaces && subresource !== 'finalize') next.spec = { ...(next.spec ?? {}), finalizers: old.spec?.finalizers };
    if (!subresource) def.prepareForUpdate?.(next, old);
    def.defaults?.(next);
    if (def.generation && JSON.stringify(next.spec) !== JSON.stringify(old.spec)) next.metadata!.generation = (old.metadata?.generation ?? 0) + 1;
    return next;
  }

  /** Returns the object as it is after the call and whether it is gone. */
  async delete(def: ResourceDef, ns: string, name: string, opts: DeleteOptions = {}): Promise<{ obj: KubeObject; deleted: boolean }> {
    const key = this.key(def, ns, name);
    // Like update(): start from the watch cache's copy; the compare of the write catches a stale one.
    let cur = await this.current(def, key, !opts.dryRun);
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!cur) throw newNotFound(gr(def), name);
      const outcome = await this.onCurrent(def, key, cur, (c) => this.tryDelete(def, ns, name, key, c, opts));
      if ('result' in outcome) return outcome.result;
      cur = outcome.retryWith;
    }
    throw newConflict(gr(def), name);
  }

  private async tryDelete(def: ResourceDef, ns: string, name: string, key: string, cur: Current, opts: DeleteOptions): Promise<Attempt<{ obj: KubeObject; deleted: boolean }>> {
    const obj = cur.obj;
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== obj.metadata?.uid) throw newConflict(gr(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata?.uid ?? ''}`);
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata?.resourceVersion) throw newConflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion}`);
    const pending = this.pendingDeletion(def, cur, opts);
    const validated: AdmissionCall = { operation: 'DELETE', def, namespace: ns, name, oldObject: obj, dryRun: !!opts.dryRun, remains: !!pending, rollback: [] };
    await this.admission?.validate(validated);
    // Anything but a committed write (another writer came first, a no-op, a stale cached read,
    // an error) undoes what admission did for this attempt before the next one.
    let committed = false;
    try {
      if (pending) {
        if (opts.dryRun) return { result: { obj: served(def, pending), deleted: false } };
        const text = encodeStored(pending);
        if (text === cur.text() || sameContent(pending, obj)) {
          if (!cur.live) throw new StaleRead();
          return { result: { obj: served(def, obj), deleted: false } };
        }
        const { revision, current } = await this.store.updateOrCurrent(key, text, cur.modRevision, await this.leaseFor(def));
        if (revision === undefined) return { retryWith: current && fromStore(current) };
        committed = true;
        pending.metadata!.resourceVersion = String(revision);
        return { result: { obj: this.withJSON(def, pending, text, revision), deleted: false } };
      }
      if (opts.dryRun) return { result: { obj: served(def, obj), deleted: true } };
      const { revision, current } = await this.store.deleteOrCurrent(key, cur.modRevision);
      if (revision === undefined) return { retryWith: current && fromStore(current) };
      committed = true;
      await this.hooks.get(def.plural)?.afterDelete?.(obj);
      return { result: { obj: served(def, obj), deleted: true } };
    } finally {
      if (!committed) await rollBack(validated);
    }
  }

  /** The object with deletionTimestamp set when deletion must wait (grace, finalizers), else undefined. */
  private pendingDeletion(def: ResourceDef, cur: Current, opts: DeleteOptions): KubeObject | undefined {
    const obj = cur.obj;
    const next = cur.copy();
    const m = next.metadata ??= {};
    const finalizers: string[] = [...(m.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    let grace = 0;
    if (def.plural === 'pods') {
      const phase = obj.status?.phase;
      grace = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
      // Pods never bound to a node, or already finished, go at once (upstream's CheckGracefulDelete).
      if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      if (m.deletionGracePeriodSeconds !== undefined) grace = Math.min(grace, m.deletionGracePeriodSeconds);
    }
    const namespaceFinalizers = def === namespaces ? (obj.spec?.finalizers ?? []) : [];
    if (grace === 0 && finalizers.length === 0 && namespaceFinalizers.length === 0) return undefined;
    if (def === namespaces) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    const now = new Date();
    if (!m.deletionTimestamp || grace > 0) {
      const at = new Date(now.getTime() + grace * 1000);
      if (!m.deletionTimestamp || Date.parse(m.deletionTimestamp) > at.getTime()) m.deletionTimestamp = nowTimestamp(at);
      m.deletionGracePeriodSeconds = grace;
    }
    if (finalizers.length) m.finalizers = finalizers;
    return next;
  }
}
