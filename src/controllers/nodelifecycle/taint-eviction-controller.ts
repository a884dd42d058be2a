// taint-eviction-controller (the NoExecute taint manager): pods on a node with NoExecute
// taints they do not tolerate are deleted at once; pods tolerating them for
// tolerationSeconds are deleted when that runs out (counted from the taint's timeAdded);
// the deletion is cancelled if the taints go away first.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { NODES, PODS, deletedObject, isNotFound, objectKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { evictionDelay } from './taints.js';

export const NAME = 'taint-eviction-controller';

export class TaintEvictionController implements Controller {
  readonly name = NAME;
  private readonly nodes: SharedInformer<Node>;
  private readonly pods: SharedInformer<Pod>;
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly recorder: EventRecorder;
  private active = false;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.forResource(NODES);
    this.pods = ctx.informers.forResource(PODS, { indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes.addEventHandler({ onAdd: (n) => this.nodeChanged(n), onUpdate: (_, n) => this.nodeChanged(n) });
    this.pods.addEventHandler({ onAdd: (p) => this.podChanged(p), onUpdate: (_, p) => this.podChanged(p), onDelete: (p) => this.cancel(objectKey(deletedObject(p)), false) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try { await Promise.all([this.nodes.waitForSync(signal), this.pods.waitForSync(signal)]); } catch { return; }
    this.active = true;
    for (const n of this.nodes.lister.list()) this.nodeChanged(n);
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    this.active = false;
    for (const k of [...this.timers.keys()]) this.cancel(k, false);
  }

  private noExecute(node: Node | undefined): Taint[] {
    return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  }

  private nodeChanged(n: Node): void {
    if (!this.active) return;
    for (const p of this.pods.lister.byIndex('nodeName', n.metadata!.name!)) this.podChanged(p);
  }

  private podChanged(pod: Pod): void {
    if (!this.active) return;
    const key = objectKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || pod.metadata?.deletionTimestamp) { this.cancel(key, false); return; }
    const taints = this.noExecute(this.nodes.lister.get(nodeName));
    if (!taints.length) { this.cancel(key, true); return; }
    const delay = evictionDelay(pod, taints);
    if (delay === 'never') { this.cancel(key, true); return; }
    const added = Math.min(...taints.map((t) => Date.parse(t.timeAdded ?? '') || Date.now()));
    const at = delay === 'now' ? Date.now() : added + delay;
    const cur = this.timers.get(key);
    if (cur && cur.at === at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => { this.timers.delete(key); void this.evict(pod); }, Math.max(0, at - Date.now()));
    this.timers.set(key, { at, timer });
  }

  private cancel(key: string, announce: boolean): void {
    const cur = this.timers.get(key);
    if (!cur) return;
    clearTimeout(cur.timer);
    this.timers.delete(key);
    if (announce) {
      const [namespace, name] = key.split('/');
      this.recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace, name }, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
    }
  }

  private async evict(pod: Pod): Promise<void> {
    const ns = pod.metadata!.namespace!; const name = pod.metadata!.name!;
    const pods = this.ctx.client.resource(PODS);
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    try {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      conds.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: now });
      await pods.patch(ns, name, 'merge', { status: { conditions: conds } }, {}, 'status').catch(() => {});
      await pods.delete(ns, name, { preconditions: { uid: pod.metadata!.uid } });
      this.ctx.log(`taint-eviction-controller: deleted pod ${ns}/${name} from node ${pod.spec?.nodeName}`);
    } catch (err) {
      if (!isNotFound(err)) this.ctx.log(`taint-eviction-controller: deleting ${ns}/${name}: ${(err as Error).message}`);
    }
  }
}

export const newTaintEvictionController = (ctx: ControllerContext): Controller => new TaintEvictionController(ctx);
