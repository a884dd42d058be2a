// persistentvolume-binder: binds Pending claims to matching Available volumes (both sides:
// volume.spec.claimRef and claim.spec.volumeName, then their phases), keeps phases true
// (Available, Bound, Released, Lost) and applies a released volume's reclaim policy —
// Retain keeps it Released, Delete deletes the object (tskube's hostPath volumes hold
// nothing the controller could wipe). Dynamic provisioning is not done: a claim whose
// class names a provisioner waits for a volume, with upstream's ExternalProvisioning event.
// WaitForFirstConsumer claims wait for a node: the scheduler's selected-node annotation,
// or (tskube's scheduler has no VolumeBinding plugin) the node of a scheduled pod using it.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, deletedObject, isConflict, isNotFound, objectKey, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { STORAGECLASSES } from '../../util/resource-types.js';
import { claimsOf } from '../pvcprotection/pvc-protection-controller.js';
import { claimClass, findMatchingVolume, refersTo } from './volume-match.js';

export const NAME = 'persistentvolume-binder';
const COMPONENT = 'persistentvolume-controller';
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const RESYNC_MS = 15_000;

export class PersistentVolumeBinder implements Controller {
  readonly name = NAME;
  private readonly claimLoop: KeyedLoop;
  private readonly volumeLoop: KeyedLoop;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly volumes: SharedInformer<PersistentVolume>;
  private readonly classes: SharedInformer<StorageClass>;
  private readonly nodes: SharedInformer<Node>;
  private readonly pods: SharedInformer<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    const f = ctx.informers;
    this.claims = f.forResource(PERSISTENTVOLUMECLAIMS);
    this.volumes = f.forResource(PERSISTENTVOLUMES);
    this.classes = f.forResource(STORAGECLASSES);
    this.nodes = f.forResource(NODES);
    this.pods = f.forResource(PODS);
    // One worker each, as upstream: two claims never race for one volume inside this process.
    this.claimLoop = new KeyedLoop(ctx, `${NAME}-claims`, 1, (k) => this.syncClaim(k));
    this.volumeLoop = new KeyedLoop(ctx, `${NAME}-volumes`, 1, (k) => this.syncVolume(k));
    const claim = (c: PersistentVolumeClaim) => this.claimLoop.add(objectKey(c));
    const volume = (v: PersistentVolume) => this.volumeLoop.add(v.metadata!.name!);
    this.claims.addEventHandler({
      onAdd: claim, onUpdate: (_, c) => claim(c),
      onDelete: (c) => { const o = deletedObject(c); for (const v of this.volumes.lister.list()) if (v.spec?.claimRef?.name === o.metadata?.name && v.spec?.claimRef?.namespace === o.metadata?.namespace) volume(v); },
    });
    this.volumes.addEventHandler({
      onAdd: (v) => { volume(v); this.pendingClaims(); }, onUpdate: (_, v) => { volume(v); if (!v.spec?.claimRef) this.pendingClaims(); },
      onDelete: (v) => { const r = deletedObject(v).spec?.claimRef; if (r) this.claimLoop.add(`${r.namespace}/${r.name}`); },
    });
    // A scheduled pod gives its WaitForFirstConsumer claims a node.
    this.pods.addEventHandler({ onUpdate: (o, p) => { if (!o.spec?.nodeName && p.spec?.nodeName) for (const c of claimsOf(p)) this.claimLoop.add(`${p.metadata!.namespace}/${c}`); } });
  }

  private pendingClaims(): void {
    for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.claimLoop.add(objectKey(c));
  }

  async run(signal: AbortSignal): Promise<void> {
    // Upstream resyncs every 15 s so that missed or failed writes are retried.
    const timer = setInterval(() => { for (const v of this.volumes.lister.list()) this.volumeLoop.add(v.metadata!.name!); this.pendingClaims(); }, RESYNC_MS);
    const informers = [this.claims, this.volumes, this.classes, this.nodes, this.pods];
    try {
      await Promise.all([this.claimLoop.run(signal, informers), this.volumeLoop.run(signal, informers)]);
    } finally {
      clearInterval(timer);
    }
  }

  private event(obj: PersistentVolume | PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, msg: string): void {
    this.ctx.recorder(COMPONENT).event(obj, type, reason, msg);
  }

  /** The node a WaitForFirstConsumer claim is for: undefined = none yet. */
  private selectedNode(c: PersistentVolumeClaim): string | undefined {
    const ann = c.metadata?.annotations?.[SELECTED_NODE];
    if (ann) return ann;
    return this.pods.lister.namespace(c.metadata!.namespace!).list().find((p) => p.spec?.nodeName && claimsOf(p).includes(c.metadata!.name!))?.spec?.nodeName;
  }

  private async syncClaim(key: string): Promise<SyncResult> {
    const c = this.claims.lister.get(key);
    if (!c || c.metadata?.deletionTimestamp && !c.spec?.volumeName) return;
    if (c.metadata?.annotations?.[BIND_COMPLETED] && c.spec?.volumeName) return this.checkBoundClaim(c);
    if (c.spec?.volumeName) {
      // Pre-bound by the user to a named volume.
      const v = this.volumes.lister.get(c.spec.volumeName);
      if (!v) { await this.claimPhase(c, 'Pending'); return; }
      if (v.spec?.claimRef && !refersTo(v, c)) return; // promised to someone else: wait
      return this.bind(v, c);
    }
    const cls = this.classes.lister.get(claimClass(c));
    let node: Node | null | undefined;
    if (cls?.volumeBindingMode === 'WaitForFirstConsumer') {
      const name = this.selectedNode(c);
      if (!name) {
        this.event(c, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return this.claimPhase(c, 'Pending');
      }
      node = this.nodes.lister.get(name) ?? null;
    }
    const v = findMatchingVolume(this.volumes.lister.list(), c, node);
    if (v) return this.bind(v, c);
    if (cls?.provisioner && cls.provisioner !== 'kubernetes.io/no-provisioner') {
      this.event(c, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    } else if (!claimClass(c)) {
      this.event(c, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    } else if (!cls) {
      this.event(c, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${claimClass(c)}" not found`);
    } else {
      this.event(c, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim');
    }
    return this.claimPhase(c, 'Pending');
  }

  private async checkBoundClaim(c: PersistentVolumeClaim): Promise<void> {
    const v = this.volumes.lister.get(c.spec!.volumeName!);
    if (!v) {
      if (c.status?.phase !== 'Lost') this.event(c, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return this.claimPhase(c, 'Lost');
    }
    if (!v.spec?.claimRef) return this.bind(v, c); // the volume side is not written yet
    if (!refersTo(v, c)) {
      if (c.status?.phase !== 'Lost') this.event(c, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      return this.claimPhase(c, 'Lost');
    }
    if (c.status?.phase !== 'Bound') await this.bind(v, c);
  }

  /** Writes both halves of a binding, volume first (as upstream), each only if needed. */
  private async bind(v: PersistentVolume, c: PersistentVolumeClaim): Promise<void> {
    const pvs = this.ctx.client.resource(PERSISTENTVOLUMES);
    const pvcs = this.ctx.client.resource(PERSISTENTVOLUMECLAIMS);
    const ref = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata!.namespace!, name: c.metadata!.name!, uid: c.metadata!.uid!, resourceVersion: c.metadata!.resourceVersion };
    try {
      if (!v.spec?.claimRef?.uid || v.spec.claimRef.uid !== c.metadata!.uid) {
        const byController = !v.spec?.claimRef;
        v = await pvs.update('', { ...v, metadata: { ...v.metadata, annotations: { ...v.metadata?.annotations, ...(byController ? { [BOUND_BY_CONTROLLER]: 'yes' } : {}) } }, spec: { ...v.spec, claimRef: ref } });
      }
      if (v.status?.phase !== 'Bound') v = await pvs.updateStatus('', { ...v, status: { ...v.status, phase: 'Bound', message: undefined, reason: undefined } });
      if (c.spec?.volumeName !== v.metadata!.name || !c.metadata?.annotations?.[BIND_COMPLETED]) {
        const ann: Record<string, string> = { ...c.metadata?.annotations, [BIND_COMPLETED]: 'yes' };
        if (!c.spec?.volumeName) ann[BOUND_BY_CONTROLLER] = 'yes';
        c = await pvcs.update(c.metadata!.namespace!, { ...c, metadata: { ...c.metadata, annotations: ann }, spec: { ...c.spec, volumeName: v.metadata!.name } });
      }
      if (c.status?.phase !== 'Bound') {
        await pvcs.updateStatus(c.metadata!.namespace!, { ...c, status: { ...c.status, phase: 'Bound', accessModes: v.spec?.accessModes, capacity: v.spec?.capacity } });
        this.ctx.log(`${NAME}: bound ${objectKey(c)} to volume ${v.metadata!.name}`);
      }
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`binding ${objectKey(c)} to ${v.metadata!.name}: changed meanwhile; retrying`);
      throw err;
    }
  }

  private async claimPhase(c: PersistentVolumeClaim, phase: string): Promise<void> {
    if (c.status?.phase === phase) return;
    try {
      await this.ctx.client.resource(PERSISTENTVOLUMECLAIMS).updateStatus(c.metadata!.namespace!, { ...c, status: { ...c.status, phase } });
    } catch (err) { if (!isNotFound(err) && !isConflict(err)) throw err; }
  }

  private async volumePhase(v: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume | undefined> {
    if (v.status?.phase === phase) return v;
    try {
      return await this.ctx.client.resource(PERSISTENTVOLUMES).updateStatus('', { ...v, status: { ...v.status, phase, ...(message ? { message } : {}) } });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isConflict(err)) throw new Error(`volume ${v.metadata!.name} changed meanwhile; retrying`);
      throw err;
    }
  }

  private async syncVolume(name: string): Promise<SyncResult> {
    const v = this.volumes.lister.get(name);
    if (!v) return;
    const ref = v.spec?.claimRef;
    if (!ref) { await this.volumePhase(v, 'Available'); return; }
    if (!ref.uid) {
      // Pre-bound by the user to a claim that may not exist yet: stays Available for it.
      await this.volumePhase(v, 'Available');
      this.claimLoop.add(`${ref.namespace}/${ref.name}`);
      return;
    }
    let c = this.claims.lister.get(`${ref.namespace}/${ref.name}`);
    if (!c || c.metadata?.uid !== ref.uid) {
      // The cache may lag behind a fresh claim: ask the API server before releasing.
      try { c = await this.ctx.client.resource(PERSISTENTVOLUMECLAIMS).get(ref.namespace!, ref.name!); } catch (err) { if (!isNotFound(err)) throw err; c = undefined; }
    }
    if (c && c.metadata?.uid === ref.uid) {
      if (c.spec?.volumeName === name) { await this.volumePhase(v, 'Bound'); return; }
      if (!c.spec?.volumeName) { this.claimLoop.add(objectKey(c)); return; }
      // The claim went to another volume: undo our half if we wrote it.
      if (v.metadata?.annotations?.[BOUND_BY_CONTROLLER]) await this.unbind(v);
      return;
    }
    // The claim is gone: the volume is Released and its reclaim policy applies.
    const released = await this.volumePhase(v, 'Released');
    if (!released) return;
    const policy = v.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      try {
        await this.ctx.client.resource(PERSISTENTVOLUMES).delete('', name, { preconditions: { uid: v.metadata!.uid } });
        this.ctx.log(`${NAME}: deleted released volume ${name} (reclaim policy Delete)`);
      } catch (err) {
        if (isNotFound(err)) return;
        this.event(v, 'Warning', 'VolumeFailedDelete', (err as Error).message);
        throw err;
      }
    } else if (policy === 'Recycle') {
      this.event(v, 'Warning', 'VolumeFailedRecycle', 'Recycle is deprecated and no volume plugin in tskube recycles; use Retain or Delete');
      await this.volumePhase(released, 'Failed', 'Recycle is not supported');
    }
  }

  private async unbind(v: PersistentVolume): Promise<void> {
    const ann = { ...v.metadata?.annotations };
    delete ann[BOUND_BY_CONTROLLER];
    try {
      const u = await this.ctx.client.resource(PERSISTENTVOLUMES).update('', { ...v, metadata: { ...v.metadata, annotations: ann }, spec: { ...v.spec, claimRef: undefined } });
      await this.volumePhase(u, 'Available');
    } catch (err) { if (!isNotFound(err)) throw err; }
  }
}

export const newPersistentVolumeBinder = (ctx: ControllerContext): Controller => new PersistentVolumeBinder(ctx);
