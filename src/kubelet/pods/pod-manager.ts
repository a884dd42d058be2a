// The kubelet's set of pods: merges what its sources say (API pods bound to the node and
// static pods from files), admits new ones (max pods), keeps one PodWorker per pod UID and
// routes runtime container events to the owning worker. Each source has its runtime (tskube
// up runs static control-plane pods on host-process and API pods on containerd). At start
// it lists what the runtimes still run, so a restarted kubelet adopts its pods' sandboxes
// instead of making second ones, and removes what belongs to no pod any more.
import { forgetProbes } from '../probes/probe-metrics.js';
import fs from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../client/index.js';
import type { ImageManager } from '../images/image-manager.js';
import { podDir, podLogDir } from '../kubelet-paths.js';
import type { Runtime } from '../runtime/runtime-service.js';
import { type LeftoverPod, PodWorker, type WorkerContext } from './pod-worker.js';
import { NODE_LABEL } from './sandbox-config.js';

export type PodSourceName = 'api' | 'file';

/** A runtime as the pod workers use it: the runtime, its name in containerIDs, its image manager. */
export interface RuntimeSlot { runtime: Runtime; name: string; images: ImageManager }

export type BaseWorkerContext = Omit<WorkerContext, 'onDone' | 'onSandbox' | 'runtime' | 'runtimeName' | 'images' | 'adopt'>;

const UID_LABEL = 'io.kubernetes.pod.uid';

export class PodManager {
  readonly workers = new Map<string, PodWorker>();
  private readonly bySandbox = new Map<string, PodWorker>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly leftovers = new Map<string, LeftoverPod & { slot: RuntimeSlot }>();
  /** Further admission (the eviction manager's, under node pressure): a refusal's reason and message. */
  admit?: (pod: Pod) => { reason: string; message: string } | undefined;

  constructor(private readonly ctx: BaseWorkerContext, private readonly slots: Record<PodSourceName, RuntimeSlot>,
    private readonly maxPods: number, private readonly log: Logger) {
    for (const rt of this.runtimes()) this.unsubscribe.push(rt.runtime.subscribe((e) => this.bySandbox.get(e.podSandboxId)?.runtimeEvent(e)));
  }

  private runtimes(): RuntimeSlot[] {
    return [...new Set(Object.values(this.slots))];
  }

  /** Pods the kubelet is running (not finished): what max-pods admission counts. */
  activePods(): Pod[] {
    return [...this.workers.values()].filter((w) => w.isActive).map((w) => w.pod);
  }

  /** How many pods activePods() would list (counted without building the list: admission asks on every new pod). */
  activeCount(): number {
    let n = 0;
    for (const w of this.workers.values()) if (w.isActive) n++;
    return n;
  }

  allPods(): Pod[] {
    return [...this.workers.values()].map((w) => w.pod);
  }

  /** Lists every sandbox and container the runtimes hold; call before the first pod arrives. */
  async loadLeftovers(): Promise<void> {
    for (const slot of this.runtimes()) {
      const rt = slot.runtime;
      if (!rt.listPodSandbox) continue;
      const [sandboxes, containers] = await Promise.all([rt.listPodSandbox(), rt.listContainers()]);
      for (const sb of sandboxes) {
        // only what a kubelet of this node made: not other tools' sandboxes, not another node's
        const node = sb.labels[NODE_LABEL];
        if (!sb.labels[UID_LABEL] || (node !== undefined && node !== this.ctx.nodeName)) continue;
        const uid = sb.labels[UID_LABEL];
        let e = this.leftovers.get(uid);
        if (!e) this.leftovers.set(uid, (e = { sandboxes: [], containers: [], slot }));
        e.sandboxes.push(sb);
        e.containers.push(...containers.filter((c) => c.podSandboxId === sb.id));
      }
    }
    if (this.leftovers.size) this.log(`kubelet: the runtime still holds sandboxes of ${this.leftovers.size} pod(s); adopting those still bound here`);
  }

  /**
   * Removes what the runtime holds for pods that are neither running here nor known to
   * the sources any more (`known`: every pod UID bound to this node, finished ones too).
   */
  async removeOrphans(known: Set<string>): Promise<void> {
    for (const uid of [...this.leftovers.keys()]) {
      if (!known.has(uid) && !this.workers.has(uid)) await this.removeLeftover(uid, 'no such pod on this node');
    }
  }

  private async removeLeftover(uid: string, why: string): Promise<void> {
    const left = this.leftovers.get(uid);
    if (!left) return;
    this.leftovers.delete(uid);
    const rt = left.slot.runtime;
    for (const sb of left.sandboxes) {
      this.log(`kubelet: removing sandbox ${sb.id.slice(0, 13)} of pod ${sb.metadata.namespace}/${sb.metadata.name} (${uid}): ${why}`);
      await rt.stopPodSandbox(sb.id).catch((err) => this.log(`kubelet: stop sandbox ${sb.id}: ${(err as Error).message}`));
      await rt.removePodSandbox(sb.id).catch((err) => this.log(`kubelet: remove sandbox ${sb.id}: ${(err as Error).message}`));
      fs.rmSync(podLogDir(this.ctx.podLogsDir, sb.metadata.namespace, sb.metadata.name, uid), { recursive: true, force: true });
    }
    fs.rmSync(podDir(this.ctx.rootDir, uid), { recursive: true, force: true });
  }

  upsert(pod: Pod, source: PodSourceName): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const w = this.workers.get(uid);
    if (w) { w.update(pod); return; }
    const phase = pod.status?.phase;
    // a finished pod the kubelet does not know (e.g. after a restart) needs nothing
    if ((phase === 'Succeeded' || phase === 'Failed') && !pod.metadata?.deletionTimestamp) return;
    const slot = this.slots[source];
    const worker = new PodWorker(pod, {
      ...this.ctx,
      runtime: slot.runtime, runtimeName: slot.name, images: slot.images,
      adopt: (id) => {
        const left = this.leftovers.get(id);
        if (!left || left.slot !== slot) return undefined;
        this.leftovers.delete(id);
        return left;
      },
      onDone: (done) => { if (this.workers.get(done.uid) === done) { this.workers.delete(done.uid); forgetProbes(done.uid); } },
      onSandbox: (wk, id) => {
        for (const [k, v] of this.bySandbox) if (v === wk) this.bySandbox.delete(k);
        if (id) this.bySandbox.set(id, wk);
      },
    }, source === 'api');
    this.workers.set(uid, worker);
    const active = this.activeCount();
    if (active > this.maxPods && !pod.metadata?.deletionTimestamp) {
      this.log(`kubelet: pod ${worker.key} rejected: OutOfpods`);
      worker.reject('OutOfpods', `Node didn't have enough resource: pods, requested: 1, used: ${active - 1}, capacity: ${this.maxPods}`);
      return;
    }
    const refused = pod.metadata?.deletionTimestamp ? undefined : this.admit?.(pod);
    if (refused) {
      this.log(`kubelet: pod ${worker.key} rejected: ${refused.reason}: ${refused.message}`);
      worker.reject(refused.reason, refused.message);
      return;
    }
    worker.kick();
  }

  remove(uid: string): void {
    const w = this.workers.get(uid);
    if (w) w.remove();
    else void this.removeLeftover(uid, 'the pod was deleted'); // a finished pod left from before a restart
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
  }
}
