// The ReplicaSet controller (and, with RC_KIND, the ReplicationController one): keep exactly
// spec.replicas active pods matching the selector, owned through a controller reference.
// Creations go in slow-start batches; expectations stop a second sync from acting before
// the informer has seen the first one's creations and deletions.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { PODS, deletedObject, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { claimObjects, controllerRef } from '../util/controller-ref.js';
import { addControllerUIDIndex, ownedOrOrphaned } from '../util/controller-uid-index.js';
import { Expectations } from '../util/expectations.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { PodControl, podFromTemplate } from '../util/pod-control.js';
import { deletionOrder, isActive, isAvailable, isReady, msUntilAvailable } from '../util/pod-state.js';
import { slowStartBatch } from '../util/slow-start.js';
import { REPLICASET_KIND, type ReplicaKind } from './replica-kind.js';
import { replicaStatusEqual } from './replica-status.js';

export const NAME = 'replicaset';
/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;

export class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly loop: KeyedLoop;
  private readonly owners: SharedInformer<KubeObject>;
  private readonly pods: SharedInformer<Pod>;
  private readonly expectations = new Expectations();
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext, private readonly kind: ReplicaKind = REPLICASET_KIND) {
    this.name = kind.name;
    this.owners = ctx.informers.forResource(kind.type);
    this.pods = ctx.informers.forResource(PODS);
    addControllerUIDIndex(this.pods);
    this.podControl = new PodControl(ctx.client, ctx.recorder(kind.component));
    this.loop = new KeyedLoop(ctx, kind.name, concurrency(ctx.options, kind === REPLICASET_KIND ? 'replicaset' : 'rc'), (k) => this.sync(k));
    this.owners.addEventHandler({
      onAdd: (o) => this.loop.add(objectKey(o)),
      onUpdate: (_, o) => this.loop.add(objectKey(o)),
      onDelete: (o) => { const key = objectKey(deletedObject(o)); this.expectations.delete(key); this.loop.add(key); },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(deletedObject(p)),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.owners, this.pods]);
  }

  private ownerOf(pod: Pod): string | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== this.kind.type.kind) return undefined;
    const owner = this.owners.lister.get(`${pod.metadata!.namespace}/${ref.name}`);
    return owner && owner.metadata?.uid === ref.uid ? objectKey(owner) : undefined;
  }

  /** Orphans wake every owner whose selector matches them (one may adopt). */
  private enqueueMatching(pod: Pod): void {
    for (const o of this.owners.lister.namespace(pod.metadata!.namespace!).list()) if (this.kind.matches(o, pod.metadata?.labels)) this.loop.add(objectKey(o));
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) { this.podDeleted(pod); return; }
    if (controllerRef(pod)) {
      const key = this.ownerOf(pod);
      if (key) { this.expectations.creationObserved(key); this.loop.add(key); }
      return;
    }
    this.enqueueMatching(pod);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
      // A graceful delete: the pod no longer counts, so observe the deletion now.
      this.podDeleted(pod);
      return;
    }
    const oldRef = controllerRef(old); const ref = controllerRef(pod);
    if (oldRef && oldRef.uid !== ref?.uid) { const k = this.ownerOf(old); if (k) this.loop.add(k); }
    const key = this.ownerOf(pod);
    if (key) {
      this.loop.add(key);
      // A pod that just became ready changes availableReplicas again after minReadySeconds.
      const owner = this.owners.lister.get(key);
      const mrs = owner?.spec?.minReadySeconds ?? 0;
      if (mrs > 0 && !isReady(old) && isReady(pod)) this.loop.addAfter(key, mrs * 1000 + 100);
      return;
    }
    if (!ref) this.enqueueMatching(pod);
  }

  private podDeleted(pod: Pod): void {
    const key = this.ownerOf(pod);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.loop.add(key);
  }

  private async sync(key: string): Promise<SyncResult> {
    const owner = this.owners.lister.get(key);
    if (!owner) { this.expectations.delete(key); return; }
    if (!this.kind.hasSelector(owner)) {
      this.ctx.log(`${this.name}: ${key} has an empty selector; doing nothing`);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const candidates = ownedOrOrphaned(this.pods, owner).filter((p) => isActive(p) || controllerRef(p)?.uid === owner.metadata!.uid);
    const owned = (await claimObjects(candidates, { owner, client: this.ctx.client.resource(PODS), matches: (p) => this.kind.matches(owner, p.metadata?.labels) }))
      .filter(isActive);
    let manageError: Error | undefined;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try { await this.manageReplicas(owner, owned); } catch (err) { manageError = err as Error; }
    }
    const requeue = await this.updateStatus(owner, owned, manageError);
    if (manageError) throw manageError;
    return requeue;
  }

  private async manageReplicas(owner: KubeObject, active: Pod[]): Promise<void> {
    const key = objectKey(owner);
    const want = owner.spec?.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const { ok, error } = await slowStartBatch(n, 1, async () => {
        await this.podControl.create(owner, podFromTemplate(owner.spec.template, owner, `${owner.metadata!.name}-`));
      });
      // Creations we never made will never be observed.
      for (let i = ok; i < n; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const victims = [...active].sort(deletionOrder).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
      const results = await Promise.allSettled(victims.map((p) => this.podControl.delete(owner, p)));
      results.forEach((r, i) => { if (r.status === 'rejected') this.expectations.deletionObserved(key, objectKey(victims[i])); });
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  private async updateStatus(owner: KubeObject, active: Pod[], manageError?: Error): Promise<SyncResult> {
    const mrs = owner.spec?.minReadySeconds ?? 0;
    const now = Date.now();
    const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
    const status: any = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, mrs, now)).length,
      observedGeneration: owner.metadata?.generation,
    };
    const conditions = (owner.status?.conditions ?? []).filter((c: any) => c.type !== 'ReplicaFailure');
    if (manageError) {
      const want = owner.spec?.replicas ?? 1;
      const reason = active.length < want ? 'FailedCreate' : 'FailedDelete';
      const old = (owner.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
      conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message: manageError.message, lastTransitionTime: old?.lastTransitionTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    }
    if (conditions.length) status.conditions = conditions;
    for (const k of Object.keys(status)) if (status[k] === 0 && k !== 'replicas') delete status[k];
    if (!replicaStatusEqual(owner.status, status)) {
      // the answer is not read: the informer brings the new status
      const rc = this.ctx.client.resource(this.kind.type);
      await this.ctx.client.writeOnly('PUT', rc.ref(owner.metadata!.namespace!, owner.metadata!.name!, 'status'), { ...owner, status });
    }
    if (mrs > 0 && status.readyReplicas !== status.availableReplicas) {
      const wait = Math.min(...active.map((p) => msUntilAvailable(p, mrs, now)).filter((ms) => ms > 0));
      if (Number.isFinite(wait)) return { requeueAfterMs: wait + 50 };
    }
  }
}

export const newReplicaSetController = (ctx: ControllerContext): Controller => new ReplicaSetController(ctx, REPLICASET_KIND);
