// The disruption controller: keeps every PodDisruptionBudget's status — how many of its
// pods are healthy, how many must be, how many may be evicted now — which the API server's
// eviction subresource reads (and decrements) before it lets `kubectl drain` evict a pod.
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromSpec } from '../../api/selectors/index.js';
import {
  DEPLOYMENTS, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, REPLICATIONCONTROLLERS, STATEFULSETS, deletedObject, isConflict, isNotFound, objectKey, type SharedInformer,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { controllerRef } from '../util/controller-ref.js';
import { statusEqual } from '../util/status-equal.js';
import { countHealthy, disruptedPodMap, expectedPods } from './disruption-math.js';

export const NAME = 'disruption';
const COMPONENT = 'controllermanager';

export class DisruptionController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly pdbs: SharedInformer<PodDisruptionBudget>;
  private readonly pods: SharedInformer<Pod>;
  private readonly rss: SharedInformer<ReplicaSet>;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly rcs: SharedInformer<ReplicationController>;
  private readonly sets: SharedInformer<StatefulSet>;

  constructor(private readonly ctx: ControllerContext) {
    const f = ctx.informers;
    this.pdbs = f.forResource(PODDISRUPTIONBUDGETS);
    this.pods = f.forResource(PODS);
    this.rss = f.forResource(REPLICASETS);
    this.deployments = f.forResource(DEPLOYMENTS);
    this.rcs = f.forResource(REPLICATIONCONTROLLERS);
    this.sets = f.forResource(STATEFULSETS);
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    const pdb = (p: PodDisruptionBudget) => this.loop.add(objectKey(p));
    this.pdbs.addEventHandler({ onAdd: pdb, onUpdate: (_, p) => pdb(p) });
    const pod = (p: Pod) => { for (const b of this.budgetsOf(p)) this.loop.add(objectKey(b)); };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (o, p) => { pod(o); pod(p); }, onDelete: (p) => pod(deletedObject(p)) });
    // A controller's scale is part of expectedPods: recheck the budgets in its namespace.
    const scaled = (o: { metadata?: { namespace?: string } }) => { for (const b of this.pdbs.lister.namespace(o.metadata!.namespace!).list()) this.loop.add(objectKey(b)); };
    for (const inf of [this.rss, this.deployments, this.rcs, this.sets] as SharedInformer<any>[]) {
      inf.addEventHandler({ onAdd: scaled, onUpdate: (o, n) => { if (o.spec?.replicas !== n.spec?.replicas) scaled(n); }, onDelete: (o) => scaled(deletedObject(o)) });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.pdbs, this.pods, this.rss, this.deployments, this.rcs, this.sets]);
  }

  private budgetsOf(p: Pod): PodDisruptionBudget[] {
    return this.pdbs.lister.namespace(p.metadata!.namespace!).list().filter((b) => b.spec?.selector && labelSelectorFromSpec(b.spec.selector).matches(p.metadata?.labels ?? {}));
  }

  /** The pod's top controller and its spec.replicas (a Deployment's for its ReplicaSets' pods). */
  private scaleOf = (p: Pod): { uid: string; replicas: number } | undefined => {
    const ref = controllerRef(p);
    if (!ref) return undefined;
    const ns = p.metadata!.namespace!;
    const same = <T extends { metadata?: { uid?: string } }>(o: T | undefined) => (o && o.metadata?.uid === ref.uid ? o : undefined);
    switch (ref.kind) {
      case 'ReplicaSet': {
        const rs = same(this.rss.lister.get(`${ns}/${ref.name}`));
        if (!rs) return undefined;
        const dref = controllerRef(rs);
        if (dref?.kind === 'Deployment') {
          const d = this.deployments.lister.get(`${ns}/${dref.name}`);
          if (d && d.metadata?.uid === dref.uid) return { uid: d.metadata!.uid!, replicas: d.spec?.replicas ?? 1 };
        }
        return { uid: rs.metadata!.uid!, replicas: rs.spec?.replicas ?? 1 };
      }
      case 'ReplicationController': { const rc = same(this.rcs.lister.get(`${ns}/${ref.name}`)); return rc && { uid: rc.metadata!.uid!, replicas: rc.spec?.replicas ?? 1 }; }
      case 'StatefulSet': { const s = same(this.sets.lister.get(`${ns}/${ref.name}`)); return s && { uid: s.metadata!.uid!, replicas: s.spec?.replicas ?? 1 }; }
      default: return undefined;
    }
  };

  private async sync(key: string): Promise<SyncResult> {
    const pdb = this.pdbs.lister.get(key);
    if (!pdb) return;
    const rec = this.ctx.recorder(COMPONENT);
    const pods = pdb.spec?.selector ? this.pods.lister.namespace(pdb.metadata!.namespace!).list(labelSelectorFromSpec(pdb.spec.selector)) : [];
    if (!pods.length) rec.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let expected;
    try {
      expected = expectedPods(pdb, pods, this.scaleOf);
    } catch (err) {
      rec.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
      return this.writeStatus(pdb, { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...pdb.status, disruptionsAllowed: 0, observedGeneration: pdb.metadata?.generation }, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: (err as Error).message });
    }
    if (expected.unmanagedPods.length && (pdb.spec?.maxUnavailable !== undefined || typeof pdb.spec?.minAvailable === 'string')) {
      rec.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    const now = Date.now();
    const { disrupted, recheckMs } = disruptedPodMap(pdb, pods, now);
    const currentHealthy = countHealthy(pods, disrupted);
    let disruptionsAllowed = currentHealthy - expected.desiredHealthy;
    if (expected.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
    const status: PodDisruptionBudgetStatus = {
      ...pdb.status, currentHealthy, desiredHealthy: expected.desiredHealthy, expectedPods: expected.expectedCount, disruptionsAllowed,
      disruptedPods: Object.keys(disrupted).length ? disrupted : undefined, observedGeneration: pdb.metadata?.generation,
    };
    const cond = disruptionsAllowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' };
    await this.writeStatus(pdb, status, cond);
    return recheckMs !== undefined ? { requeueAfterMs: recheckMs } : undefined;
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus, cond: Omit<Condition, 'lastTransitionTime'>): Promise<void> {
    const old = (pdb.status?.conditions ?? []).find((c) => c.type === cond.type);
    const condition: Condition = { ...cond, observedGeneration: pdb.metadata?.generation, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    status.conditions = [...(pdb.status?.conditions ?? []).filter((c) => c.type !== cond.type), condition];
    if (statusEqual(pdb.status, status)) return;
    try {
      await this.ctx.client.resource(PODDISRUPTIONBUDGETS).updateStatus(pdb.metadata!.namespace!, { ...pdb, status });
    } catch (err) {
      // A conflict means the eviction subresource (or a spec change) moved first: the update event requeues us.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

export const newDisruptionController = (ctx: ControllerContext): Controller => new DisruptionController(ctx);
