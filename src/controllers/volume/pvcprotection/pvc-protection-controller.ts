// pvc-protection: every PersistentVolumeClaim carries the kubernetes.io/pvc-protection
// finalizer, and a claim being deleted keeps it while any pod that is not finished still
// uses the claim (directly or as its generic ephemeral volume), so data is not pulled away
// from a running pod. The cache may lag, so "unused" is confirmed with a live list.
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { PERSISTENTVOLUMECLAIMS, PODS, deletedObject, objectKey, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { isTerminal } from '../../util/pod-state.js';
import { hasFinalizer, setFinalizer } from '../finalizers.js';

export const NAME = 'pvc-protection';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

/** Names of the claims a pod's volumes use (generic ephemeral volumes are POD-VOLUME). */
export function claimsOf(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata!.name}-${v.name}`] : []));
}

export class PVCProtectionController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly pods: SharedInformer<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.forResource(PERSISTENTVOLUMECLAIMS);
    this.pods = ctx.informers.forResource(PODS);
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    const claim = (c: PersistentVolumeClaim) => this.loop.add(objectKey(c));
    this.claims.addEventHandler({ onAdd: claim, onUpdate: (_, c) => claim(c) });
    // A pod that finishes or goes away may release a claim being deleted.
    const pod = (p: Pod) => { for (const c of claimsOf(p)) this.loop.add(`${p.metadata!.namespace}/${c}`); };
    this.pods.addEventHandler({ onUpdate: (_, p) => { if (isTerminal(p)) pod(p); }, onDelete: (p) => pod(deletedObject(p)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.claims, this.pods]);
  }

  private inUse(ns: string, name: string, pods: Pod[]): boolean {
    return pods.some((p) => p.metadata?.namespace === ns && !isTerminal(p) && claimsOf(p).includes(name));
  }

  private async sync(key: string): Promise<SyncResult> {
    const pvc = this.claims.lister.get(key);
    if (!pvc) return;
    const client = this.ctx.client.resource(PERSISTENTVOLUMECLAIMS);
    const { namespace, name } = pvc.metadata as { namespace: string; name: string };
    if (!pvc.metadata?.deletionTimestamp) return setFinalizer(client, pvc, PVC_PROTECTION_FINALIZER, true);
    if (!hasFinalizer(pvc, PVC_PROTECTION_FINALIZER)) return;
    if (this.inUse(namespace, name, this.pods.lister.namespace(namespace).list())) return;
    const live = (await this.ctx.client.resource(PODS).list(namespace)).items;
    if (this.inUse(namespace, name, live)) return;
    await setFinalizer(client, pvc, PVC_PROTECTION_FINALIZER, false);
    this.ctx.log(`${NAME}: removed finalizer from ${key}: no pod uses it`);
  }
}

export const newPVCProtectionController = (ctx: ControllerContext): Controller => new PVCProtectionController(ctx);
