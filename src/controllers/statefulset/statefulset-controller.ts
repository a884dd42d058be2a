// The StatefulSet controller: pods NAME-0 … NAME-(n-1) with stable hostnames under
// serviceName and PersistentVolumeClaims from volumeClaimTemplates (TEMPLATE-NAME-i).
// OrderedReady creates in order, each after the previous is Running and Ready, and removes
// from the highest ordinal one at a time; Parallel does both at once. RollingUpdate
// replaces pods from the highest ordinal down to spec.updateStrategy.rollingUpdate.partition,
// one at a time, each after the others are ready.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS, deletedObject, isAlreadyExists, isNotFound, objectKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { claimObjects, controllerRef } from '../util/controller-ref.js';
import { addControllerUIDIndex, ownedOrOrphaned } from '../util/controller-uid-index.js';
import { ensureRevision, ownedRevisions, truncateHistory } from '../util/controller-history.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { podFromTemplate } from '../util/pod-control.js';
import { isAvailable, isReady, isTerminal } from '../util/pod-state.js';
import { statusEqual } from '../util/status-equal.js';

export const NAME = 'statefulset';
const HASH = 'controller-revision-hash';
const runningReady = (p: Pod) => p.status?.phase === 'Running' && isReady(p) && !p.metadata?.deletionTimestamp;

export class StatefulSetController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly sets: SharedInformer<StatefulSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly revisions: SharedInformer<ControllerRevision>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.sets = ctx.informers.forResource(STATEFULSETS);
    this.pods = ctx.informers.forResource(PODS);
    addControllerUIDIndex(this.pods);
    this.revisions = ctx.informers.forResource(CONTROLLERREVISIONS);
    this.claims = ctx.informers.forResource(PERSISTENTVOLUMECLAIMS);
    this.recorder = ctx.recorder('statefulset-controller');
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'statefulset'), (k) => this.sync(k));
    this.sets.addEventHandler({ onAdd: (s) => this.loop.add(objectKey(s)), onUpdate: (_, s) => this.loop.add(objectKey(s)) });
    const pod = (p: Pod) => { const r = controllerRef(p); if (r?.kind === 'StatefulSet') this.loop.add(`${p.metadata!.namespace}/${r.name}`); };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (_, p) => pod(p), onDelete: (p) => pod(deletedObject(p)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.sets, this.pods, this.revisions, this.claims]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const set = this.sets.lister.get(key);
    if (!set || set.metadata?.deletionTimestamp) return;
    const ns = set.metadata!.namespace!;
    const name = set.metadata!.name!;
    const spec = set.spec!;
    const revs = ownedRevisions(this.revisions.lister.namespace(ns).list(), set);
    const update = await ensureRevision(this.ctx.client, set, revs);
    const updateRev = update.metadata!.name!;
    const currentRev = set.status?.currentRevision && revs.some((r) => r.metadata!.name === set.status!.currentRevision) ? set.status.currentRevision : updateRev;
    const currentObj = revs.find((r) => r.metadata!.name === currentRev) ?? update;
    const start = spec.ordinals?.start ?? 0;
    const replicas = spec.replicas ?? 1;
    const parallel = spec.podManagementPolicy === 'Parallel';
    const ordinalOf = (p: Pod) => { const m = new RegExp(`^${name}-(\\d+)$`).exec(p.metadata!.name!); return m ? Number(m[1]) : -1; };
    const pods = (await claimObjects(ownedOrOrphaned(this.pods, set), { owner: set, client: this.ctx.client.resource(PODS), matches: (p) => specMatchesLabels(spec.selector, p.metadata?.labels) && ordinalOf(p) >= 0 }));
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(p), p] as const));
    const partition = spec.updateStrategy?.type === 'OnDelete' ? Infinity : spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const podsApi = this.ctx.client.resource(PODS);
    let blocked = false;
    // Create, replace failed, wait for readiness (OrderedReady): ordinals in order.
    for (let i = start; i < start + replicas; i++) {
      const p = byOrdinal.get(i);
      if (p && isTerminal(p) && !p.metadata?.deletionTimestamp) {
        await podsApi.delete(ns, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } }).catch((e) => { if (!isNotFound(e)) throw e; });
        this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${name} successful`);
        if (!parallel) { blocked = true; break; }
        continue;
      }
      if (!p) {
        const rev = i - start < partition && currentRev !== updateRev ? currentObj : update;
        await this.createPod(set, i, rev);
        if (!parallel) { blocked = true; break; }
        continue;
      }
      if (!parallel && !runningReady(p)) { blocked = true; break; }
    }
    // Scale down from the highest ordinal.
    const condemned = pods.filter((p) => { const o = ordinalOf(p); return o < start || o >= start + replicas; }).sort((a, b) => ordinalOf(b) - ordinalOf(a));
    for (const p of condemned) {
      if (p.metadata?.deletionTimestamp) { if (!parallel) { blocked = true; break; } continue; }
      if (!parallel && (blocked || pods.some((x) => x !== p && !condemned.includes(x) && !runningReady(x)))) break;
      await podsApi.delete(ns, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } }).catch((e) => { if (!isNotFound(e)) throw e; });
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${name} successful`);
      if (!parallel) { blocked = true; break; }
    }
    // Rolling update, as upstream: from the highest ordinal down to the partition, delete the
    // first pod not at the update revision, but wait at any updated pod that is not yet ready.
    // (OrderedReady got here only with every pod ready; Parallel may replace an unready pod,
    // which is how a broken template is rolled forward.)
    const live = [...byOrdinal.entries()].filter(([o]) => o >= start && o < start + replicas).sort((a, b) => b[0] - a[0]);
    if (!blocked && spec.updateStrategy?.type !== 'OnDelete' && live.length === replicas) {
      for (const [o, p] of live) {
        if (o - start < partition) break;
        if (p.metadata?.labels?.[HASH] !== updateRev && !p.metadata?.deletionTimestamp) {
          await podsApi.delete(ns, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } }).catch((e) => { if (!isNotFound(e)) throw e; });
          this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${name} successful`);
          break;
        }
        if (!runningReady(p)) break;
      }
    }
    // Status as kubectl rollout status reads it.
    const active = pods.filter((p) => !p.metadata?.deletionTimestamp && !isTerminal(p));
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      replicas: active.length,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, spec.minReadySeconds ?? 0)).length,
      currentReplicas: active.filter((p) => p.metadata?.labels?.[HASH] === currentRev).length,
      updatedReplicas: active.filter((p) => p.metadata?.labels?.[HASH] === updateRev).length,
      currentRevision: currentRev, updateRevision: updateRev, collisionCount: set.status?.collisionCount ?? 0,
    };
    if (status.updatedReplicas === replicas && status.readyReplicas === replicas && (status.replicas ?? 0) === replicas) {
      status.currentRevision = updateRev;
      status.currentReplicas = status.updatedReplicas;
    }
    await truncateHistory(this.ctx.client, set, revs.filter((r) => ![currentRev, updateRev, status.currentRevision].includes(r.metadata!.name!)), new Set(pods.map((p) => p.metadata?.labels?.[HASH] ?? '')));
    if (!statusEqual(status, set.status)) await this.ctx.client.resource(STATEFULSETS).updateStatus(ns, { ...set, status });
  }

  private async createPod(set: StatefulSet, ordinal: number, rev: ControllerRevision): Promise<void> {
    const ns = set.metadata!.namespace!;
    const name = `${set.metadata!.name}-${ordinal}`;
    const template = (rev.data as any)?.spec?.template ?? set.spec!.template;
    const { $patch: _p, ...tpl } = template;
    const pod = podFromTemplate(tpl, set, '', {
      name, labels: { [HASH]: rev.metadata!.name!, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
    });
    pod.spec!.hostname = name;
    if (set.spec!.serviceName) pod.spec!.subdomain = set.spec!.serviceName;
    for (const t of set.spec!.volumeClaimTemplates ?? []) {
      const claimName = `${t.metadata!.name}-${name}`;
      await this.ensureClaim(set, t, claimName, name);
      pod.spec!.volumes = [...(pod.spec!.volumes ?? []).filter((v) => v.name !== t.metadata!.name), { name: t.metadata!.name!, persistentVolumeClaim: { claimName } }];
    }
    try {
      await this.ctx.client.resource(PODS).create(ns, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata!.name} successful`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async ensureClaim(set: StatefulSet, t: PersistentVolumeClaim, claimName: string, podName: string): Promise<void> {
    const ns = set.metadata!.namespace!;
    if (this.claims.lister.get(`${ns}/${claimName}`)) return;
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: claimName, namespace: ns, labels: { ...(t.metadata?.labels ?? {}), ...(set.spec!.selector.matchLabels ?? {}) }, annotations: t.metadata?.annotations },
      spec: structuredClone(t.spec),
    };
    try {
      await this.ctx.client.resource(PERSISTENTVOLUMECLAIMS).create(ns, claim);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata!.name} success`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }
}

export const newStatefulSetController = (ctx: ControllerContext): Controller => new StatefulSetController(ctx);
