// Read-only views of an informer's cache for controllers: list by label selector, get by
// name, scoped to a namespace. Objects are shared with the cache: never mutate them.
import type { KubeObject } from '../api/resources/resource-def.js';
import { type LabelSelector, parseLabelSelector } from '../api/selectors/index.js';
import { NAMESPACE_INDEX, type StoreCache } from './store-cache.js';

type Selector = LabelSelector | string | undefined;
const toSelector = (s: Selector): LabelSelector | undefined => (typeof s === 'string' ? (s ? parseLabelSelector(s) : undefined) : s);
const filter = <T extends KubeObject>(items: T[], s: Selector): T[] => {
  const sel = toSelector(s);
  return sel && !sel.isEmpty() ? items.filter((o) => sel.matches(o.metadata?.labels)) : items;
};

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly cache: StoreCache<T>) {}

  /** Every cached object (all namespaces) matching the selector. */
  list(selector?: Selector): T[] {
    return filter(this.cache.list(), selector);
  }

  /** A cluster-scoped object by name, or a namespaced one by `namespace/name`. */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.cache.byIndex(indexName, value);
  }

  namespace(ns: string): NamespaceLister<T> {
    return new NamespaceLister(this.cache, ns);
  }
}

export class NamespaceLister<T extends KubeObject = KubeObject> {
  constructor(private readonly cache: StoreCache<T>, readonly ns: string) {}

  list(selector?: Selector): T[] {
    return filter(this.cache.byIndex(NAMESPACE_INDEX, this.ns), selector);
  }

  get(name: string): T | undefined {
    return this.cache.get(this.ns ? `${this.ns}/${name}` : name);
  }
}
