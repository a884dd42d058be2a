// The kubelet's set of pods: merges what its sources say (API pods bound to the node and
// static pods from files), admits new ones (max pods), keeps one PodWorker per pod UID and
// routes runtime container events to the owning worker.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../client/index.js';
import { PodWorker, type WorkerContext } from './pod-worker.js';

export type PodSourceName = 'api' | 'file';

export class PodManager {
  readonly workers = new Map<string, PodWorker>();
  private readonly bySandbox = new Map<string, PodWorker>();
  private readonly unsubscribe: () => void;

  constructor(private readonly ctx: Omit<WorkerContext, 'onDone' | 'onSandbox'>, private readonly maxPods: number, private readonly log: Logger) {
    this.unsubscribe = ctx.runtime.subscribe((e) => this.bySandbox.get(e.podSandboxId)?.kick());
  }

  /** Pods the kubelet is running (not finished): what max-pods admission counts. */
  activePods(): Pod[] {
    return [...this.workers.values()].filter((w) => w.isActive).map((w) => w.pod);
  }

  allPods(): Pod[] {
    return [...this.workers.values()].map((w) => w.pod);
  }

  upsert(pod: Pod, source: PodSourceName): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const w = this.workers.get(uid);
    if (w) { w.update(pod); return; }
    const phase = pod.status?.phase;
    // a finished pod the kubelet does not know (e.g. after a restart) needs nothing
    if ((phase === 'Succeeded' || phase === 'Failed') && !pod.metadata?.deletionTimestamp) return;
    const worker = new PodWorker(pod, {
      ...this.ctx,
      onDone: (done) => { if (this.workers.get(done.uid) === done) this.workers.delete(done.uid); },
      onSandbox: (wk, id) => {
        for (const [k, v] of this.bySandbox) if (v === wk) this.bySandbox.delete(k);
        if (id) this.bySandbox.set(id, wk);
      },
    }, source === 'api');
    this.workers.set(uid, worker);
    const active = this.activePods().length;
    if (active > this.maxPods && !pod.metadata?.deletionTimestamp) {
      this.log(`kubelet: pod ${worker.key} rejected: OutOfpods`);
      worker.reject('OutOfpods', `Node didn't have enough resource: pods, requested: 1, used: ${active - 1}, capacity: ${this.maxPods}`);
      return;
    }
    worker.kick();
  }

  remove(uid: string): void {
    this.workers.get(uid)?.remove();
  }

  async stop(): Promise<void> {
    this.unsubscribe();
  }
}
