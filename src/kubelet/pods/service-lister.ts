// The Services a pod's containers get variables for, read from one list+watch of every
// Service (upstream's kubelet builds its env from a Service lister too), so starting a
// container costs no API call. Before the first list has arrived, a pod from the API waits
// for it (upstream refuses to build env until the Service informer synced: a pod must not
// miss KUBERNETES_SERVICE_HOST because the kubelet had only just started); a static pod
// takes what the cache holds, since it may be the API server itself.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { type RestClient, SERVICES, type SharedInformer, SharedInformerFactory } from '../../client/index.js';

/** How long a pod from the API waits for the first list before its container fails with CreateContainerConfigError. */
export const SERVICE_SYNC_WAIT_MS = 30_000;

const trim = (s: Service): Service => (s.metadata?.managedFields ? { ...s, metadata: { ...s.metadata, managedFields: undefined } } : s);

export class ServiceLister {
  private readonly factory: SharedInformerFactory;
  private readonly informer: SharedInformer<Service>;
  private readonly abort = new AbortController();

  constructor(client: RestClient, private readonly syncWaitMs = SERVICE_SYNC_WAIT_MS) {
    this.factory = new SharedInformerFactory(client);
    this.informer = this.factory.forResource(SERVICES, { transform: trim });
  }

  start(): void {
    this.factory.start();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.factory.shutdown();
  }

  /** default/kubernetes always, and the pod's namespace's Services unless enableServiceLinks is false. */
  async forPod(pod: Pod, staticPod: boolean): Promise<Service[]> {
    if (!staticPod && !this.informer.hasSynced()) await this.waitForSync();
    const ns = pod.metadata?.namespace ?? 'default';
    const lister = this.informer.lister;
    const master = lister.get('default/kubernetes');
    const own = pod.spec?.enableServiceLinks === false ? [] : lister.namespace(ns).list();
    // the namespace's own Service of that name wins over default/kubernetes (upstream's map order)
    return [...(master && !own.some((s) => s.metadata?.name === 'kubernetes') ? [master] : []), ...own];
  }

  private async waitForSync(): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.syncWaitMs)]);
    try {
      await this.informer.waitForSync(signal);
    } catch {
      throw new Error('services have not yet been read at least once, cannot construct envvars');
    }
  }
}
