// API pods bound to nodes, from one shared informer, dispatched by spec.nodeName: a kubelet
// watches spec.nodeName=NODE; a process of hollow kubelets watches every bound pod once
// (spec.nodeName!=) and hands each node its own, so N nodes cost one watch, not N.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deletedObject, type EventHandler, PODS, type RestClient, type SharedInformer, SharedInformerFactory } from '../../client/index.js';

const NODE_INDEX = 'nodeName';

export class PodFeed {
  readonly informer: SharedInformer<Pod>;
  private readonly factory: SharedInformerFactory;
  private readonly handlers = new Map<string, EventHandler<Pod>>();

  /** `nodeName` set: only that node's pods; unset: every bound pod. */
  constructor(client: RestClient, nodeName?: string) {
    this.factory = new SharedInformerFactory(client);
    this.informer = this.factory.forResource(PODS, {
      fieldSelector: nodeName ? `spec.nodeName=${nodeName}` : 'spec.nodeName!=',
      indexers: { [NODE_INDEX]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    });
    const of = (p: Pod) => this.handlers.get(p.spec?.nodeName ?? '');
    this.informer.addEventHandler({
      onAdd: (p, initial) => of(p)?.onAdd?.(p, initial),
      onUpdate: (o, p) => of(p)?.onUpdate?.(o, p),
      onDelete: (p) => of(deletedObject(p))?.onDelete?.(p),
    });
  }

  register(nodeName: string, handler: EventHandler<Pod>): void {
    this.handlers.set(nodeName, handler);
    for (const p of this.podsOn(nodeName)) handler.onAdd?.(p, true);
  }

  podsOn(nodeName: string): Pod[] {
    return this.informer.lister.byIndex(NODE_INDEX, nodeName);
  }

  start(): void {
    this.factory.start();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.factory.waitForCacheSync(signal);
  }

  stop(): Promise<void> {
    return this.factory.shutdown();
  }
}
