// ephemeral-volume: for each generic ephemeral volume of a pod (volumes[].ephemeral), a
// PersistentVolumeClaim named POD-VOLUME from the volume's claim template, owned by the
// pod so that the garbage collector deletes it with the pod. A same-named claim the pod
// does not own is left alone and reported (the pod then cannot start, as upstream).
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { PERSISTENTVOLUMECLAIMS, PODS, deletedObject, isAlreadyExists, objectKey, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { concurrency } from '../../manager/options.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { controllerRef } from '../../util/controller-ref.js';

export const NAME = 'ephemeral-volume';

export class EphemeralVolumeController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly pods: SharedInformer<Pod>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.forResource(PODS);
    this.claims = ctx.informers.forResource(PERSISTENTVOLUMECLAIMS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'ephemeralvolume'), (k) => this.sync(k));
    const pod = (p: Pod) => { if ((p.spec?.volumes ?? []).some((v) => v.ephemeral)) this.loop.add(objectKey(p)); };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (_, p) => pod(p) });
    // A claim deleted under a live pod is recreated.
    this.claims.addEventHandler({
      onDelete: (c) => { const ref = controllerRef(deletedObject(c)); if (ref?.kind === 'Pod') this.loop.add(`${deletedObject(c).metadata!.namespace}/${ref.name}`); },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.pods, this.claims]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const pod = this.pods.lister.get(key);
    if (!pod || pod.metadata?.deletionTimestamp) return;
    const ns = pod.metadata!.namespace!;
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.ephemeral?.volumeClaimTemplate) continue;
      const name = `${pod.metadata!.name}-${v.name}`;
      const cur = this.claims.lister.get(`${ns}/${name}`);
      if (cur) {
        if (controllerRef(cur)?.uid !== pod.metadata!.uid) this.ctx.recorder('ephemeral_volume').event(pod, 'Warning', 'FailedBinding', `PVC ${ns}/${name} was not created for pod ${key} (pod is not owner)`);
        continue;
      }
      const t = v.ephemeral.volumeClaimTemplate;
      const claim: PersistentVolumeClaim = {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: {
          name, namespace: ns, labels: t.metadata?.labels, annotations: t.metadata?.annotations,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: t.spec,
      };
      try {
        await this.ctx.client.resource(PERSISTENTVOLUMECLAIMS).create(ns, claim);
      } catch (err) { if (!isAlreadyExists(err)) throw err; }
    }
  }
}

export const newEphemeralVolumeController = (ctx: ControllerContext): Controller => new EphemeralVolumeController(ctx);
