// The informer's local cache (client-go's thread-safe store + indexer): objects by
// namespace/name key, plus named indices (namespace by default; callers add their own,
// e.g. pods by spec.nodeName) kept in step with every add, update and delete.
import type { KubeObject } from '../api/resources/resource-def.js';
import { objectKey } from './resource-ref.js';

/** Index values of one object for one index (an object may sit under several). */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';
export const namespaceIndexFunc: IndexFunc<KubeObject> = (o) => [o.metadata?.namespace ?? ''];

export class StoreCache<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name) && this.indexers.get(name) !== fn) throw new Error(`indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  hasIndex(name: string): boolean { return this.indexers.has(name); }

  get size(): number { return this.items.size; }

  /** Inserts or replaces; returns the previous object under the key. */
  set(obj: T, key = objectKey(obj)): T | undefined {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indices.get(name)!, v, key);
    return old;
  }

  /** Removes the key; returns what was there. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(key: string): T | undefined { return this.items.get(key); }
  has(key: string): boolean { return this.items.has(key); }
  keys(): string[] { return [...this.items.keys()]; }
  list(): T[] { return [...this.items.values()]; }

  /** Objects whose index `indexName` yields `value`. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.indexKeys(indexName, value);
    return keys.map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Every value an index currently holds (e.g. every node that has pods). */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}
