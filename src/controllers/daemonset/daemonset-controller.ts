// The DaemonSet controller: one pod per eligible node (pinned with a required node
// affinity on metadata.name, bound by the scheduler as upstream), extra and misplaced pods
// removed, failed ones replaced; RollingUpdate replaces old-revision pods at most
// maxUnavailable at a time; status counts as `kubectl rollout status ds` reads them.
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS, deletedObject, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { claimObjects, controllerRef } from '../util/controller-ref.js';
import { addControllerUIDIndex, ownedOrOrphaned } from '../util/controller-uid-index.js';
import { ensureRevision, ownedRevisions, revisionHash, truncateHistory } from '../util/controller-history.js';
import { Expectations } from '../util/expectations.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { PodControl, podFromTemplate } from '../util/pod-control.js';
import { isAvailable, isReady, isTerminal } from '../util/pod-state.js';
import { statusEqual } from '../util/status-equal.js';
import { daemonTolerations, eligibility } from './node-eligibility.js';

export const NAME = 'daemonset';
const HASH = 'controller-revision-hash';

function scaled(v: number | string | undefined, total: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(v);
}

export class DaemonSetController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly dss: SharedInformer<DaemonSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly revisions: SharedInformer<ControllerRevision>;
  private readonly expectations = new Expectations();
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.dss = ctx.informers.forResource(DAEMONSETS);
    this.pods = ctx.informers.forResource(PODS);
    addControllerUIDIndex(this.pods);
    this.nodes = ctx.informers.forResource(NODES);
    this.revisions = ctx.informers.forResource(CONTROLLERREVISIONS);
    this.podControl = new PodControl(ctx.client, ctx.recorder('daemonset-controller'));
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'daemonset'), (k) => this.sync(k));
    this.dss.addEventHandler({ onAdd: (d) => this.loop.add(objectKey(d)), onUpdate: (_, d) => this.loop.add(objectKey(d)), onDelete: (d) => this.expectations.delete(objectKey(deletedObject(d))) });
    const all = () => { for (const d of this.dss.lister.list()) this.loop.add(objectKey(d)); };
    this.nodes.addEventHandler({ onAdd: all, onUpdate: (o, n) => { if (JSON.stringify([o.metadata?.labels, o.spec?.taints]) !== JSON.stringify([n.metadata?.labels, n.spec?.taints])) all(); }, onDelete: all });
    this.pods.addEventHandler({
      onAdd: (p) => { const k = this.ownerKey(p); if (k) { this.expectations.creationObserved(k); this.loop.add(k); } },
      onUpdate: (_, p) => { const k = this.ownerKey(p); if (k) this.loop.add(k); },
      onDelete: (p) => { const pod = deletedObject(p); const k = this.ownerKey(pod); if (k) { this.expectations.deletionObserved(k, objectKey(pod)); this.loop.add(k); } },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.dss, this.pods, this.nodes, this.revisions]);
  }

  private ownerKey(p: Pod): string | undefined {
    const ref = controllerRef(p);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const d = this.dss.lister.get(`${p.metadata!.namespace}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? objectKey(d) : undefined;
  }

  /** The node a daemon pod is for: its nodeName, or the node its affinity pins it to. */
  private podNode(p: Pod): string | undefined {
    if (p.spec?.nodeName) return p.spec.nodeName;
    const t = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
    return t?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
  }

  private async sync(key: string): Promise<SyncResult> {
    const ds = this.dss.lister.get(key);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const ns = ds.metadata!.namespace!;
    const revs = ownedRevisions(this.revisions.lister.namespace(ns).list(), ds);
    const cur = await ensureRevision(this.ctx.client, ds, revs);
    const hash = revisionHash(cur);
    const pods = (await claimObjects(ownedOrOrphaned(this.pods, ds), { owner: ds, client: this.ctx.client.resource(PODS), matches: (p) => specMatchesLabels(ds.spec?.selector, p.metadata?.labels) }))
      .filter((p) => !p.metadata?.deletionTimestamp);
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) { const n = this.podNode(p) ?? ''; byNode.set(n, [...(byNode.get(n) ?? []), p]); }
    const nodes = this.nodes.lister.list();
    const mrs = ds.spec?.minReadySeconds ?? 0;
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const st = { desired: 0, current: 0, mis: 0, ready: 0, updated: 0, available: 0 };
    for (const node of nodes) {
      const name = node.metadata!.name!;
      const { shouldRun, shouldContinueRunning } = eligibility(ds.spec!.template.spec!, node);
      const here = byNode.get(name) ?? [];
      byNode.delete(name);
      const failed = here.filter(isTerminal);
      const live = here.filter((p) => !isTerminal(p)).sort((a, b) => Date.parse(a.metadata!.creationTimestamp!) - Date.parse(b.metadata!.creationTimestamp!));
      if (shouldRun) st.desired++;
      if (shouldRun || (shouldContinueRunning && live.length)) {
        toDelete.push(...failed);
        if (!live.length) { if (shouldRun) toCreate.push(name); continue; }
        toDelete.push(...live.slice(1));
        const p = live[0];
        if (shouldRun || shouldContinueRunning) st.current++;
        if (isReady(p)) st.ready++;
        if (isAvailable(p, mrs)) st.available++;
        if (p.metadata?.labels?.[HASH] === hash) st.updated++;
      } else if (here.length) {
        st.mis++;
        toDelete.push(...here);
      }
    }
    for (const rest of byNode.values()) toDelete.push(...rest); // pods for nodes that are gone
    // Rolling update: old-revision pods go while the unavailable budget allows.
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && this.expectations.satisfied(key)) {
      const maxUnavailable = Math.max(1, scaled(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, st.desired, 1));
      let unavailable = st.desired - st.available;
      for (const node of nodes) {
        const p = pods.find((x) => this.podNode(x) === node.metadata!.name && !isTerminal(x));
        if (!p || p.metadata?.labels?.[HASH] === hash || toDelete.includes(p)) continue;
        if (!isAvailable(p, mrs)) { toDelete.push(p); continue; } // old and broken: replace at once
        if (unavailable >= maxUnavailable) continue;
        toDelete.push(p);
        unavailable++;
      }
    }
    if (this.expectations.satisfied(key)) {
      this.expectations.expectCreations(key, toCreate.length);
      for (const node of toCreate) {
        try { await this.podControl.create(ds, this.podFor(ds, node, hash)); } catch (err) { this.expectations.creationObserved(key); throw err; }
      }
      if (toDelete.length) {
        this.expectations.expectDeletions(key, toDelete.map((p) => objectKey(p)));
        for (const p of toDelete) await this.podControl.delete(ds, p).catch((err) => { this.expectations.deletionObserved(key, objectKey(p)); throw err; });
      }
    }
    await truncateHistory(this.ctx.client, ds, revs.filter((r) => r.metadata!.uid !== cur.metadata!.uid), new Set(pods.map((p) => p.metadata?.labels?.[HASH] ?? '')));
    const status: DaemonSetStatus = {
      ...(ds.status ?? {}),
      desiredNumberScheduled: st.desired, currentNumberScheduled: st.current, numberMisscheduled: st.mis, numberReady: st.ready,
      updatedNumberScheduled: st.updated, numberAvailable: st.available, numberUnavailable: Math.max(0, st.desired - st.available), observedGeneration: ds.metadata?.generation,
    };
    if (!statusEqual(status, ds.status)) await this.ctx.client.resource(DAEMONSETS).updateStatus(ns, { ...ds, status });
    if (mrs > 0 && st.ready > st.available) return { requeueAfterMs: mrs * 1000 };
  }

  private podFor(ds: DaemonSet, node: string, hash: string): Pod {
    const pod = podFromTemplate(ds.spec!.template, ds, `${ds.metadata!.name}-`, { labels: { [HASH]: hash } });
    const spec = pod.spec!;
    // Pin to the node through required node affinity; the scheduler does the binding.
    const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
    const na = ((spec.affinity ??= {}).nodeAffinity ??= {});
    const terms = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms?.length ? terms.map((t) => ({ ...t, matchFields: term.matchFields })) : [term] };
    spec.tolerations = daemonTolerations(spec);
    return pod;
  }
}

export const newDaemonSetController = (ctx: ControllerContext): Controller => new DaemonSetController(ctx);
