// Mirror pods: for every static pod, an API pod of the same namespace and name with
// annotation kubernetes.io/config.mirror=HASH, owned by the Node, so kubectl sees what the
// kubelet runs. A mirror whose hash is stale is replaced; a mirror with no static pod behind
// it is deleted; one deleted by a user comes back on the next reconcile.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound, type Logger, PODS, type RestClient } from '../../client/index.js';
import { CONFIG_HASH, CONFIG_MIRROR, CONFIG_SEEN, isMirrorPod } from './static-pod.js';

export class MirrorPods {
  private running = false;
  private again = false;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly nodeUID: () => string | undefined,
    private readonly staticPods: () => Pod[],
    /** The API pods bound to this node, from the kubelet's informer. */
    private readonly apiPods: () => Pod[],
    private readonly onCreated: (ns: string, name: string) => void,
    private readonly log: Logger,
  ) {}

  /** Reconciles now (coalescing overlapping calls). */
  sync(): void {
    if (this.running) { this.again = true; return; }
    this.running = true;
    void (async () => {
      do {
        this.again = false;
        try { await this.reconcile(); } catch (err) { this.log(`kubelet: mirror pods: ${(err as Error).message}`); }
      } while (this.again);
      this.running = false;
    })();
  }

  private mirrorOf(p: Pod): Pod {
    const m = p.metadata!;
    const annotations: Record<string, string> = { ...(m.annotations ?? {}), [CONFIG_MIRROR]: m.annotations?.[CONFIG_HASH] ?? '' };
    delete annotations[CONFIG_SEEN];
    const uid = this.nodeUID();
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: m.name, namespace: m.namespace, labels: m.labels, annotations,
        ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid, controller: true }] } : {}),
      },
      spec: p.spec,
    };
  }

  private async reconcile(): Promise<void> {
    const pods = this.client.resource(PODS);
    const mirrors = new Map(this.apiPods().filter(isMirrorPod).map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    const wanted = new Map(this.staticPods().map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    for (const [key, sp] of wanted) {
      const hash = sp.metadata?.annotations?.[CONFIG_HASH];
      const cur = mirrors.get(key);
      if (cur && cur.metadata?.annotations?.[CONFIG_MIRROR] === hash && !cur.metadata?.deletionTimestamp) continue;
      if (cur) await this.delete(cur);
      try {
        await pods.create(sp.metadata!.namespace!, this.mirrorOf(sp));
        this.log(`kubelet: created mirror pod ${key}`);
        this.onCreated(sp.metadata!.namespace!, sp.metadata!.name!);
      } catch (err) {
        if (!isAlreadyExists(err)) this.log(`kubelet: failed creating a mirror pod for ${key}: ${(err as Error).message}`);
      }
    }
    for (const [key, mp] of mirrors) if (!wanted.has(key)) await this.delete(mp);
  }

  private async delete(p: Pod): Promise<void> {
    try {
      await this.client.resource(PODS).delete(p.metadata!.namespace!, p.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata?.uid } });
      this.log(`kubelet: deleted mirror pod ${p.metadata?.namespace}/${p.metadata?.name}`);
    } catch (err) {
      if (!isNotFound(err)) this.log(`kubelet: failed deleting mirror pod ${p.metadata?.name}: ${(err as Error).message}`);
    }
  }
}
