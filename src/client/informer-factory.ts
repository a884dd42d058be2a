// One informer per resource (and selector) shared by every controller in a process, so a
// process lists and watches each resource once however many loops read it.
import type { KubeObject } from '../api/resources/resource-def.js';
import { type InformerOptions, SharedInformer } from './informer.js';
import type { ResourceType } from './resource-ref.js';
import type { RestClient } from './rest-client.js';
import type { IndexFunc } from './store-cache.js';

export interface FactoryOptions {
  /** Default resync period for every informer (0: none). */
  resyncPeriodMs?: number;
  /** Restrict every informer to one namespace. */
  namespace?: string;
  log?: InformerOptions<KubeObject>['log'];
}

export interface ForResourceOptions<T> {
  fieldSelector?: string;
  labelSelector?: string;
  namespace?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** See InformerOptions.transform; the first forResource call for a key sets it. */
  transform?: (obj: T) => T;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<any>>();
  private started = false;

  constructor(readonly client: RestClient, readonly opts: FactoryOptions = {}) {}

  /** The shared informer for `type` with these selectors; created on first use. */
  forResource<T extends KubeObject>(type: ResourceType<T>, o: ForResourceOptions<T> = {}): SharedInformer<T> {
    const namespace = o.namespace ?? this.opts.namespace ?? '';
    const key = [type.group, type.version, type.resource, namespace, o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.client, type, {
        namespace, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
        resyncPeriodMs: this.opts.resyncPeriodMs, indexers: o.indexers, log: this.opts.log, transform: o.transform,
      });
      this.informers.set(key, inf);
      if (this.started) inf.start();
    } else if (o.indexers) {
      inf.addIndexers(o.indexers);
    }
    return inf;
  }

  /** Starts every informer made so far, and any made later. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
