// The pod garbage collector, every 20 s: force-deletes pods bound to nodes that no longer
// exist and unscheduled pods stuck terminating, and deletes the oldest finished pods beyond
// --terminated-pod-gc-threshold.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NODES, PODS, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { isTerminal } from '../util/pod-state.js';

export const NAME = 'podgc';
const PERIOD_MS = 20_000;

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

  private async forceDelete(p: Pod, why: string): Promise<void> {
    try {
      // As upstream: a pod that has not finished is first marked Failed with the
      // DisruptionTarget condition, so its owner (a Job) sees why it went.
      if (!isTerminal(p)) {
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const conditions = [...(p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
          { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: `PodGC: ${why}`, lastTransitionTime: now }];
        await this.ctx.client.resource(PODS).patch(p.metadata!.namespace!, p.metadata!.name!, 'merge', { status: { phase: 'Failed', conditions } }, {}, 'status');
      }
      await this.ctx.client.resource(PODS).delete(p.metadata!.namespace!, p.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid } });
      this.ctx.log(`podgc: force-deleted ${p.metadata!.namespace}/${p.metadata!.name}: ${why}`);
    } catch (err) { if (!isNotFound(err)) throw err; }
  }

  private async gc(): Promise<void> {
    const pods = this.pods.lister.list();
    const threshold = this.ctx.options.terminatedPodGCThreshold;
    if (threshold > 0) {
      const done = pods.filter(isTerminal).sort((a, b) => Date.parse(a.metadata?.creationTimestamp ?? '') - Date.parse(b.metadata?.creationTimestamp ?? ''));
      for (const p of done.slice(0, Math.max(0, done.length - threshold))) {
        await this.ctx.client.resource(PODS).delete(p.metadata!.namespace!, p.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; });
      }
    }
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.lister.get(node)) {
        // The cache may lag: ask the API server before deleting.
        try { await this.ctx.client.resource(NODES).get('', node); continue; } catch (err) { if (!isNotFound(err)) throw err; }
        await this.forceDelete(p, `node ${node} no longer exists`);
      } else if (!node && p.metadata?.deletionTimestamp) {
        await this.forceDelete(p, 'unscheduled and terminating');
      }
    }
  }
}

export const newPodGCController = (ctx: ControllerContext): Controller => new PodGCController(ctx);
