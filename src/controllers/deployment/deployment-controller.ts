// The Deployment controller: owns ReplicaSets (one per pod template, named NAME-HASH) and
// moves pods from old to new ones — RollingUpdate within maxSurge/maxUnavailable, or
// Recreate — keeping revision annotations for `kubectl rollout history|undo`, honouring
// pause, reporting progress against progressDeadlineSeconds and scaling proportionally.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { DEPLOYMENTS, PODS, REPLICASETS, deletedObject, isAlreadyExists, isNotFound, objectKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { claimObjects, controllerRef, newControllerRef } from '../util/controller-ref.js';
import { CONTROLLER_UID_INDEX, addControllerUIDIndex, ownedOrOrphaned } from '../util/controller-uid-index.js';
import { computeHash, deepEqual } from '../util/hash.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { statusEqual } from '../util/status-equal.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, POD_TEMPLATE_HASH, REVISION, REVISION_HISTORY, copyable, revisionOf } from './annotations.js';
import * as C from './conditions.js';
import * as M from './rollout-math.js';

export const NAME = 'deployment';

const byCreation = (a: ReplicaSet, b: ReplicaSet) => (Date.parse(a.metadata?.creationTimestamp ?? '') - Date.parse(b.metadata?.creationTimestamp ?? '')) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1);
const active = (rss: ReplicaSet[]) => rss.filter((r) => (r.spec?.replicas ?? 0) > 0);

/** The template with its pod-template-hash label left out (shallow copies: nothing is changed). */
function withoutHash(t: any): any {
  const labels = t?.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH in labels)) return t ?? {};
  const { [POD_TEMPLATE_HASH]: _, ...rest } = labels;
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}
export const equalIgnoreHash = (a: any, b: any): boolean => deepEqual(withoutHash(a), withoutHash(b));

class Sync {
  rss: ReplicaSet[];
  constructor(readonly dc: DeploymentController, public d: Deployment, rss: ReplicaSet[]) { this.rss = rss; }
  get ns(): string { return this.d.metadata!.namespace!; }
  get replicas(): number { return this.d.spec?.replicas ?? 1; }
}

export class DeploymentController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  readonly deployments: SharedInformer<Deployment>;
  readonly rsInformer: SharedInformer<ReplicaSet>;
  readonly pods: SharedInformer<Pod>;
  readonly recorder: EventRecorder;

  constructor(readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.forResource(DEPLOYMENTS);
    this.rsInformer = ctx.informers.forResource(REPLICASETS);
    this.pods = ctx.informers.forResource(PODS);
    addControllerUIDIndex(this.rsInformer);
    addControllerUIDIndex(this.pods);
    this.recorder = ctx.recorder('deployment-controller');
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'deployment'), (k) => this.sync(k));
    this.deployments.addEventHandler({ onAdd: (d) => this.loop.add(objectKey(d)), onUpdate: (_, d) => this.loop.add(objectKey(d)), onDelete: (d) => this.loop.add(objectKey(deletedObject(d))) });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.rsChanged(rs),
      onUpdate: (old, rs) => { if (controllerRef(old)?.uid !== controllerRef(rs)?.uid) this.rsChanged(old); this.rsChanged(rs); },
      onDelete: (rs) => this.rsChanged(deletedObject(rs)),
    });
    // Recreate waits for the old pods to be gone.
    this.pods.addEventHandler({ onDelete: (p) => this.podDeleted(deletedObject(p)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.deployments, this.rsInformer, this.pods]);
  }

  private ownerKey(rs: ReplicaSet): string | undefined {
    const ref = controllerRef(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.lister.get(`${rs.metadata!.namespace}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? objectKey(d) : undefined;
  }

  private rsChanged(rs: ReplicaSet): void {
    const key = this.ownerKey(rs);
    if (key) { this.loop.add(key); return; }
    if (controllerRef(rs)) return;
    for (const d of this.deployments.lister.namespace(rs.metadata!.namespace!).list()) if (specMatchesLabels(d.spec?.selector, rs.metadata?.labels)) this.loop.add(objectKey(d));
  }

  private podDeleted(p: Pod): void {
    const ref = controllerRef(p);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.lister.get(`${p.metadata!.namespace}/${ref.name}`);
    const key = rs && this.ownerKey(rs);
    if (key && this.deployments.lister.get(key)?.spec?.strategy?.type === 'Recreate') this.loop.add(key);
  }

  private async sync(key: string): Promise<SyncResult> {
    const cached = this.deployments.lister.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata?.generation });
      return;
    }
    const candidates = ownedOrOrphaned(this.rsInformer, d);
    const rss = await claimObjects(candidates, { owner: d, client: this.ctx.client.resource(REPLICASETS), matches: (rs) => specMatchesLabels(sel, rs.metadata?.labels) });
    const s = new Sync(this, d, rss);
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly(s);
    await this.checkPausedConditions(s);
    if (d.spec?.paused) return this.scaleOnly(s);
    if (await this.isScalingEvent(s)) return this.scaleOnly(s);
    return d.spec?.strategy?.type === 'Recreate' ? this.rolloutRecreate(s) : this.rolloutRolling(s);
  }

  // ---- ReplicaSets and revisions ----

  private findNewRS(s: Sync): ReplicaSet | undefined {
    return [...s.rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, s.d.spec?.template));
  }

  /** getAllReplicaSetsAndSyncRevision: the new RS (created when asked) and the old ones. */
  private async getAll(s: Sync, create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = this.findNewRS(s);
    const oldRSs = s.rss.filter((r) => r !== existing);
    const maxOld = Math.max(0, ...oldRSs.map(revisionOf));
    const newRevision = maxOld + 1;
    if (existing) {
      // the annotations are worked out on a copy of them alone; the set is cloned only to be written
      const annotated = { ...existing, metadata: { ...existing.metadata, annotations: { ...existing.metadata?.annotations } } };
      const changed = this.setNewRSAnnotations(s.d, annotated, newRevision, true);
      const mrs = (existing.spec?.minReadySeconds ?? 0) !== (s.d.spec?.minReadySeconds ?? 0);
      let newRS = existing;
      if (changed || mrs) {
        const rsCopy = structuredClone(existing);
        rsCopy.metadata!.annotations = annotated.metadata.annotations;
        rsCopy.spec!.minReadySeconds = s.d.spec?.minReadySeconds;
        newRS = await this.ctx.client.resource(REPLICASETS).update(s.ns, rsCopy);
        this.replaceRS(s, newRS);
      }
      const progressing = C.hasProgressDeadline(s.d) && !C.getCondition(s.d.status, 'Progressing')
        ? C.newCondition('Progressing', 'True', C.FOUND_NEW_RS, `Found new replica set "${newRS.metadata!.name}"`) : undefined;
      await this.setRevisionAndProgress(s, String(revisionOf(newRS)), progressing);
      return { newRS, oldRSs };
    }
    if (!create) return { oldRSs };
    const hash = computeHash(s.d.spec!.template, s.d.status?.collisionCount);
    const template = structuredClone(s.d.spec!.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(s.d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${s.d.metadata!.name}-${hash}`, namespace: s.ns, ownerReferences: [newControllerRef(s.d)], labels: template.metadata.labels },
      spec: { replicas: 0, minReadySeconds: s.d.spec?.minReadySeconds, selector, template },
    };
    newRS.spec!.replicas = M.newRSNewReplicas(s.d, [...oldRSs, newRS], newRS);
    this.setNewRSAnnotations(s.d, newRS, newRevision, false);
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.resource(REPLICASETS).create(s.ns, newRS);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const other = await this.ctx.client.resource(REPLICASETS).get(s.ns, newRS.metadata!.name!);
      if (controllerRef(other)?.uid === s.d.metadata!.uid && equalIgnoreHash(other.spec?.template, s.d.spec?.template)) {
        s.rss.push(other);
        return { newRS: other, oldRSs };
      }
      // A hash collision: count it so the next hash differs, and try again.
      const st = structuredClone(s.d.status ?? {});
      st.collisionCount = (st.collisionCount ?? 0) + 1;
      await this.writeStatus(s.d, st, s);
      throw new Error(`replica set ${newRS.metadata!.name} already exists with a different template; collisionCount is now ${st.collisionCount}`);
    }
    s.rss.push(created);
    if ((created.spec?.replicas ?? 0) > 0) this.recorder.event(s.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata!.name} to ${created.spec!.replicas}`);
    const progressing = C.hasProgressDeadline(s.d) ? C.newCondition('Progressing', 'True', C.NEW_RS_CREATED, `Created new replica set "${created.metadata!.name}"`) : undefined;
    await this.setRevisionAndProgress(s, String(newRevision), progressing);
    return { newRS: created, oldRSs };
  }

  private setNewRSAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
    const ann = (rs.metadata!.annotations ??= {});
    let changed = false;
    for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
      if (copyable(k) && ann[k] !== v) { ann[k] = v; changed = true; }
    }
    const old = ann[REVISION];
    const oldN = Number(old ?? '0') || 0;
    if (oldN < newRevision) {
      ann[REVISION] = String(newRevision);
      changed = true;
      // A reused ReplicaSet (a rollback) remembers the revisions it had.
      if (old) ann[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${old}` : old;
    }
    if (!exists) {
      ann[DESIRED_REPLICAS] = String(d.spec?.replicas ?? 1);
      ann[MAX_REPLICAS] = String((d.spec?.replicas ?? 1) + M.maxSurge(d));
      changed = true;
    }
    return changed;
  }

  /**
   * The revision annotation and a Progressing condition in one status write, as upstream's
   * getNewReplicaSet does (a status update keeps the annotations it is sent).
   */
  private async setRevisionAndProgress(s: Sync, revision: string, progressing?: DeploymentCondition): Promise<void> {
    const revised = s.d.metadata?.annotations?.[REVISION] !== revision;
    if (!revised && !progressing) return;
    const d = revised ? { ...s.d, metadata: { ...s.d.metadata, annotations: { ...s.d.metadata?.annotations, [REVISION]: revision } } } : s.d;
    const st = structuredClone(s.d.status ?? {});
    if (progressing) C.setCondition(st, progressing);
    await this.writeStatus(d, st, s);
  }

  private replaceRS(s: Sync, rs: ReplicaSet): void {
    const i = s.rss.findIndex((r) => r.metadata!.uid === rs.metadata!.uid);
    if (i >= 0) s.rss[i] = rs; else s.rss.push(rs);
  }

  /** Scales one ReplicaSet (and stamps the desired/max annotations); records the event. */
  private async scaleRS(s: Sync, rs: ReplicaSet, newScale: number): Promise<ReplicaSet> {
    const desired = String(s.replicas);
    const max = String(s.replicas + M.maxSurge(s.d));
    const oldScale = rs.spec?.replicas ?? 0;
    const sizeChange = oldScale !== newScale;
    const annChange = rs.metadata?.annotations?.[DESIRED_REPLICAS] !== desired || rs.metadata?.annotations?.[MAX_REPLICAS] !== max;
    if (!sizeChange && !annChange) return rs;
    const copy = structuredClone(rs);
    copy.spec!.replicas = newScale;
    copy.metadata!.annotations = { ...(copy.metadata!.annotations ?? {}), [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    const updated = await this.ctx.client.resource(REPLICASETS).update(s.ns, copy);
    this.replaceRS(s, updated);
    if (sizeChange) this.recorder.event(s.d, 'Normal', 'ScalingReplicaSet', `Scaled ${newScale > oldScale ? 'up' : 'down'} replica set ${rs.metadata!.name} to ${newScale} from ${oldScale}`);
    return updated;
  }

  // ---- strategies ----

  private async rolloutRolling(s: Sync): Promise<SyncResult> {
    const { newRS } = await this.getAll(s, true);
    let nrs = newRS!;
    const oldRSs = () => s.rss.filter((r) => r.metadata!.uid !== nrs.metadata!.uid);
    // reconcileNewReplicaSet
    if ((nrs.spec?.replicas ?? 0) !== s.replicas) {
      const target = (nrs.spec?.replicas ?? 0) > s.replicas ? s.replicas : M.newRSNewReplicas(s.d, s.rss, nrs);
      if (target !== nrs.spec?.replicas) {
        nrs = await this.scaleRS(s, nrs, target);
        return this.syncRolloutStatus(s, nrs);
      }
    }
    // reconcileOldReplicaSets
    if (await this.reconcileOld(s, nrs, active(oldRSs()))) return this.syncRolloutStatus(s, nrs);
    if (C.deploymentComplete(s.d, s.d.status ?? {})) await this.cleanup(s, oldRSs());
    return this.syncRolloutStatus(s, nrs);
  }

  private async reconcileOld(s: Sync, nrs: ReplicaSet, oldActive: ReplicaSet[]): Promise<boolean> {
    if (M.specReplicas(oldActive) === 0) return false;
    const minAvailable = s.replicas - M.maxUnavailable(s.d);
    const newUnavailable = (nrs.spec?.replicas ?? 0) - (nrs.status?.availableReplicas ?? 0);
    const maxScaledDown = M.specReplicas(s.rss) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let total = 0;
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    for (const rs of [...oldActive].sort(byCreation)) {
      if (total >= maxScaledDown) break;
      const cur = s.rss.find((r) => r.metadata!.uid === rs.metadata!.uid)!;
      const spec = cur.spec?.replicas ?? 0;
      const unhealthy = spec - (cur.status?.availableReplicas ?? 0);
      if (spec === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - total, unhealthy);
      await this.scaleRS(s, cur, spec - n);
      total += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available ones, down to minAvailable.
    const available = M.availableForScaleDown(s.rss);
    if (available > minAvailable) {
      const budget = available - minAvailable;
      let done = 0;
      for (const rs of s.rss.filter((r) => r.metadata!.uid !== nrs.metadata!.uid && (r.spec?.replicas ?? 0) > 0).sort(byCreation)) {
        if (done >= budget) break;
        const spec = rs.spec?.replicas ?? 0;
        const n = Math.min(spec, budget - done);
        await this.scaleRS(s, rs, spec - n);
        done += n;
      }
      total += done;
    }
    return total > 0;
  }

  private async rolloutRecreate(s: Sync): Promise<SyncResult> {
    let { newRS } = await this.getAll(s, false);
    const olds = () => s.rss.filter((r) => r.metadata!.uid !== newRS?.metadata!.uid);
    let scaled = false;
    for (const rs of active(olds())) { await this.scaleRS(s, rs, 0); scaled = true; }
    if (scaled) return this.syncRolloutStatus(s, newRS);
    if (this.oldPodsRunning(olds())) return this.syncRolloutStatus(s, newRS);
    if (!newRS) newRS = (await this.getAll(s, true)).newRS!;
    newRS = await this.scaleRS(s, newRS, s.replicas);
    if (C.deploymentComplete(s.d, s.d.status ?? {})) await this.cleanup(s, olds());
    return this.syncRolloutStatus(s, newRS);
  }

  private oldPodsRunning(olds: ReplicaSet[]): boolean {
    if (M.actualReplicas(olds) > 0) return true;
    return olds.some((rs) => this.pods.lister.byIndex(CONTROLLER_UID_INDEX, rs.metadata!.uid!).some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'));
  }

  private async isScalingEvent(s: Sync): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAll(s, false);
    return active([...(newRS ? [newRS] : []), ...oldRSs]).some((rs) => {
      const v = rs.metadata?.annotations?.[DESIRED_REPLICAS];
      return v !== undefined && Number(v) !== s.replicas;
    });
  }

  /** Scaling without rolling out (paused, or spec.replicas changed mid-rollout). */
  private async scaleOnly(s: Sync): Promise<SyncResult> {
    const { newRS, oldRSs } = await this.getAll(s, false);
    await this.scale(s, newRS, oldRSs);
    if (s.d.spec?.paused) await this.cleanup(s, s.rss.filter((r) => r.metadata!.uid !== newRS?.metadata!.uid));
    const nrs = newRS && s.rss.find((r) => r.metadata!.uid === newRS.metadata!.uid);
    const st = this.calculateStatus(s, nrs);
    if (!statusEqual(st, s.d.status)) await this.writeStatus(s.d, st, s);
  }

  private async scale(s: Sync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const all = active([...(newRS ? [newRS] : []), ...oldRSs]);
    let only: ReplicaSet | undefined;
    if (all.length === 0) only = newRS ?? [...oldRSs].sort(byCreation).reverse()[0];
    else if (all.length === 1) only = all[0];
    if (only) { await this.scaleRS(s, only, s.replicas); return; }
    if (M.isSaturated(s.d, newRS)) {
      for (const rs of active(oldRSs)) await this.scaleRS(s, rs, 0);
      return;
    }
    if (s.d.spec?.strategy?.type === 'Recreate') return;
    const allowed = s.replicas > 0 ? s.replicas + M.maxSurge(s.d) : 0;
    const toAdd = allowed - M.specReplicas(all);
    const size = (r: ReplicaSet) => r.spec?.replicas ?? 0;
    const ts = (r: ReplicaSet) => Date.parse(r.metadata?.creationTimestamp ?? '') || 0;
    // Scaling up feeds the biggest (newest on ties) first; scaling down drains the biggest (oldest on ties).
    const sorted = [...all].sort((a, b) => (size(b) - size(a)) || (toAdd > 0 ? ts(b) - ts(a) : ts(a) - ts(b)));
    let added = 0;
    const target = new Map<string, number>();
    for (const rs of sorted) {
      const p = toAdd !== 0 ? M.proportion(rs, s.d, toAdd, added) : 0;
      target.set(rs.metadata!.uid!, size(rs) + p);
      added += p;
    }
    for (let i = 0; i < sorted.length; i++) {
      const rs = sorted[i];
      let n = target.get(rs.metadata!.uid!)!;
      if (i === 0 && toAdd !== 0) n = Math.max(0, n + toAdd - added);
      await this.scaleRS(s, rs, n);
    }
  }

  private async cleanup(s: Sync, oldRSs: ReplicaSet[]): Promise<void> {
    const limit = s.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = oldRSs.filter((r) => !r.metadata?.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const sorted = [...alive].sort((a, b) => (revisionOf(a) - revisionOf(b)) || byCreation(a, b));
    for (const rs of sorted.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec?.replicas ?? 0) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.ctx.client.resource(REPLICASETS).delete(s.ns, rs.metadata!.name!, { preconditions: { uid: rs.metadata!.uid } });
      } catch (err) { if (!isNotFound(err)) throw err; }
    }
  }

  // ---- status ----

  private async checkPausedConditions(s: Sync): Promise<void> {
    if (!C.hasProgressDeadline(s.d)) return;
    const cond = C.getCondition(s.d.status, 'Progressing');
    if (cond?.reason === C.TIMED_OUT) return;
    const pausedCond = cond?.reason === C.PAUSED;
    const st = structuredClone(s.d.status ?? {});
    if (s.d.spec?.paused && !pausedCond) C.setCondition(st, C.newCondition('Progressing', 'Unknown', C.PAUSED, 'Deployment is paused'));
    else if (!s.d.spec?.paused && pausedCond) C.setCondition(st, C.newCondition('Progressing', 'Unknown', C.RESUMED, 'Deployment is resumed'));
    else return;
    await this.writeStatus(s.d, st, s);
  }

  private calculateStatus(s: Sync, newRS: ReplicaSet | undefined): DeploymentStatus {
    const available = M.availableReplicas(s.rss);
    const st: DeploymentStatus = {
      observedGeneration: s.d.metadata?.generation,
      replicas: M.actualReplicas(s.rss),
      updatedReplicas: M.actualReplicas([newRS]),
      readyReplicas: M.readyReplicas(s.rss),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, s.replicas - available),
      collisionCount: s.d.status?.collisionCount,
      conditions: structuredClone(s.d.status?.conditions ?? []),
    };
    if (available >= s.replicas - M.maxUnavailable(s.d)) C.setCondition(st, C.newCondition('Available', 'True', C.MIN_AVAILABLE, 'Deployment has minimum availability.'));
    else C.setCondition(st, C.newCondition('Available', 'False', C.MIN_UNAVAILABLE, 'Deployment does not have minimum availability.'));
    return st;
  }

  private async syncRolloutStatus(s: Sync, newRS: ReplicaSet | undefined): Promise<SyncResult> {
    const nrs = newRS && s.rss.find((r) => r.metadata!.uid === newRS.metadata!.uid);
    const st = this.calculateStatus(s, nrs);
    if (!C.hasProgressDeadline(s.d)) C.removeCondition(st, 'Progressing');
    const cur = C.getCondition(s.d.status, 'Progressing');
    const complete = st.replicas === st.updatedReplicas && cur?.reason === C.NEW_RS_AVAILABLE;
    const rsName = nrs?.metadata?.name;
    if (C.hasProgressDeadline(s.d) && !complete) {
      if (C.deploymentComplete(s.d, st)) {
        C.setCondition(st, C.newCondition('Progressing', 'True', C.NEW_RS_AVAILABLE, rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : 'Deployment has successfully progressed.'));
      } else if (C.deploymentProgressing(s.d, st)) {
        const c = C.newCondition('Progressing', 'True', C.RS_UPDATED, rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.');
        if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        C.removeCondition(st, 'Progressing');
        C.setCondition(st, c);
      } else if (C.deploymentTimedOut(s.d, st)) {
        C.setCondition(st, C.newCondition('Progressing', 'False', C.TIMED_OUT, rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : 'Deployment has timed out progressing.'));
      }
    }
    if (!statusEqual(st, s.d.status)) await this.writeStatus(s.d, st, s);
    // Check the deadline again when it would run out.
    const p = C.getCondition(st, 'Progressing');
    if (C.hasProgressDeadline(s.d) && !C.deploymentComplete(s.d, st) && p && p.reason !== C.TIMED_OUT && !s.d.spec?.paused) {
      const due = Date.parse(p.lastUpdateTime ?? '') + s.d.spec!.progressDeadlineSeconds! * 1000 - Date.now();
      return { requeueAfterMs: Math.max(1000, due + 1000) };
    }
  }

  private async syncStatusOnly(s: Sync): Promise<SyncResult> {
    const { newRS } = await this.getAll(s, false);
    const st = this.calculateStatus(s, newRS);
    if (!statusEqual(st, s.d.status)) await this.writeStatus(s.d, st, s);
  }

  private async writeStatus(d: Deployment, status: DeploymentStatus, s?: Sync): Promise<void> {
    const updated = await this.ctx.client.resource(DEPLOYMENTS).updateStatus(d.metadata!.namespace!, { ...d, status });
    if (s) s.d = updated;
  }
}

export const newDeploymentController = (ctx: ControllerContext): Controller => new DeploymentController(ctx);
