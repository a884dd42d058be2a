// pv-protection: every PersistentVolume carries the kubernetes.io/pv-protection finalizer,
// and a volume being deleted keeps it while it is Bound to a claim.
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { PERSISTENTVOLUMES, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { hasFinalizer, setFinalizer } from '../finalizers.js';

export const NAME = 'pv-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export class PVProtectionController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly volumes: SharedInformer<PersistentVolume>;

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.forResource(PERSISTENTVOLUMES);
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    this.volumes.addEventHandler({ onAdd: (v) => this.loop.add(v.metadata!.name!), onUpdate: (_, v) => this.loop.add(v.metadata!.name!) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.volumes]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const pv = this.volumes.lister.get(name);
    if (!pv) return;
    const client = this.ctx.client.resource(PERSISTENTVOLUMES);
    if (!pv.metadata?.deletionTimestamp) return setFinalizer(client, pv, PV_PROTECTION_FINALIZER, true);
    if (hasFinalizer(pv, PV_PROTECTION_FINALIZER) && pv.status?.phase !== 'Bound') await setFinalizer(client, pv, PV_PROTECTION_FINALIZER, false);
  }
}

export const newPVProtectionController = (ctx: ControllerContext): Controller => new PVProtectionController(ctx);
