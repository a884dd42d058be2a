// The pod garbage collector, every 20 s, as upstream's: force-deletes pods bound to nodes that
// no longer exist, unscheduled pods stuck terminating, and terminating pods on NotReady nodes
// tainted node.kubernetes.io/out-of-service (their kubelet will not finish them), and the
// oldest finished pods beyond --terminated-pod-gc-threshold (evicted ones first).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NODES, PODS, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { isTerminal } from '../util/pod-state.js';

export const NAME = 'podgc';
const PERIOD_MS = 20_000;
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
const nodeReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '');

export class PodGCController implements Controller {
  readonly name = NAME;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.forResource(PODS);
    this.nodes = ctx.informers.forResource(NODES);
  }

  async run(signal: AbortSignal): Promise<void> {
    try { await Promise.all([this.pods.waitForSync(signal), this.nodes.waitForSync(signal)]); } catch { return; }
    while (!signal.aborted) {
      try { await this.gc(); } catch (err) { this.ctx.log(`podgc: ${(err as Error).message}`); }
      await new Promise<void>((r) => { const t = setTimeout(r, PERIOD_MS); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    }
  }

  /** Upstream's markFailedAndDeletePodWithCondition: an unfinished pod is marked Failed (with the condition, when given) so its owner sees why it went, then deleted with no grace. */
  private async forceDelete(p: Pod, why: string, disruption?: string): Promise<void> {
    try {
      if (!isTerminal(p)) {
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const conditions = disruption === undefined ? undefined : [...(p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
          { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: disruption, lastTransitionTime: now }];
        await this.ctx.client.resource(PODS).patch(p.metadata!.namespace!, p.metadata!.name!, 'merge', { status: { phase: 'Failed', ...(conditions ? { conditions } : {}) } }, {}, 'status');
      }
      await this.ctx.client.resource(PODS).delete(p.metadata!.namespace!, p.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid } });
      this.ctx.log(`podgc: force-deleted ${p.metadata!.namespace}/${p.metadata!.name}: ${why}`);
    } catch (err) { if (!isNotFound(err)) throw err; }
  }

  private async gc(): Promise<void> {
    const pods = this.pods.lister.list();
    const threshold = this.ctx.options.terminatedPodGCThreshold;
    if (threshold > 0) {
      const evicted = (p: Pod) => (p.status?.reason === 'Evicted' ? 0 : 1);
      const done = pods.filter(isTerminal).sort((a, b) => evicted(a) - evicted(b) || created(a) - created(b));
      for (const p of done.slice(0, Math.max(0, done.length - threshold))) await this.forceDelete(p, 'over the terminated pod threshold');
    }
    // Terminating pods on out-of-service nodes, the longest-terminating first.
    const outOfService = pods.filter((p) => {
      const node = p.metadata?.deletionTimestamp && p.spec?.nodeName ? this.nodes.lister.get(p.spec.nodeName) : undefined;
      return node && !nodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE);
    }).sort((a, b) => Date.parse(a.metadata!.deletionTimestamp!) - Date.parse(b.metadata!.deletionTimestamp!));
    for (const p of outOfService) await this.forceDelete(p, `terminating on out-of-service node ${p.spec!.nodeName}`);
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.lister.get(node)) {
        // The cache may lag: ask the API server before deleting.
        try { await this.ctx.client.resource(NODES).get('', node); continue; } catch (err) { if (!isNotFound(err)) throw err; }
        await this.forceDelete(p, `node ${node} no longer exists`, 'PodGC: node no longer exists');
      } else if (!node && p.metadata?.deletionTimestamp) {
        await this.forceDelete(p, 'unscheduled and terminating');
      }
    }
  }
}

export const newPodGCController = (ctx: ControllerContext): Controller => new PodGCController(ctx);
