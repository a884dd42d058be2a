// Writes pod statuses to the API server: one PATCH of pods/NAME/status per change, never two
// at once for the same pod (the newest waiting status wins). A static pod's status goes to
// its mirror pod, which has the same namespace and name. A write that fails (API server busy
// or restarting) is tried again after a back-off, as upstream's status manager re-syncs what
// the API server lacks: a crash-looping pod may not change again for minutes.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isNotFound, type Logger, PODS, type RestClient } from '../../client/index.js';

interface Slot { sent?: string; inFlight?: Promise<void>; pending?: PodStatus; retry?: NodeJS.Timeout; retryMs?: number }

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

export class StatusManager {
  private readonly slots = new Map<string, Slot>();
  writes = 0;

  constructor(private readonly client: RestClient | undefined, private readonly log: Logger) {}

  async set(pod: Pod, status: PodStatus): Promise<void> {
    if (!this.client) return;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = {}));
    slot.pending = status;
    this.startDrain(key, slot);
    await slot.inFlight;
  }

  private startDrain(key: string, slot: Slot): void {
    if (slot.inFlight) return;
    clearTimeout(slot.retry);
    slot.retry = undefined;
    slot.inFlight = this.drain(key, slot).finally(() => {
      slot.inFlight = undefined;
      // a status set between the loop's end and here still goes out (a failed one waits its back-off)
      if (slot.pending && !slot.retry) this.startDrain(key, slot);
    });
  }

  private retryLater(key: string, slot: Slot): void {
    const ms = slot.retryMs = Math.min((slot.retryMs ?? RETRY_FIRST_MS / 2) * 2, RETRY_MAX_MS);
    slot.retry = setTimeout(() => {
      slot.retry = undefined;
      if (this.slots.get(key) === slot && slot.pending) this.startDrain(key, slot);
    }, ms);
    slot.retry.unref();
  }

  /** Forget a pod (it is gone); a later pod of the same name starts fresh. */
  forget(pod: Pod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    clearTimeout(this.slots.get(key)?.retry);
    this.slots.delete(key);
  }

  /** Stops retrying (the kubelet is shutting down). */
  close(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.retry);
  }

  /** Re-send the last status for this pod on the next set (its mirror pod was recreated). */
  invalidate(ns: string, name: string): void {
    const slot = this.slots.get(`${ns}/${name}`);
    if (slot) slot.sent = undefined;
  }

  private async drain(key: string, slot: Slot): Promise<void> {
    await Promise.resolve(); // let set() record the in-flight promise before the loop can end
    const [ns, name] = key.split('/');
    while (slot.pending) {
      const status = slot.pending;
      slot.pending = undefined;
      const body = JSON.stringify(status);
      if (body === slot.sent) continue;
      try {
        // the status is encoded once: for the comparison above and as the patch's body
        await this.client!.writeOnly('PATCH', this.client!.resource(PODS).ref(ns, name, 'status'), `{"status":${body}}`, { patchType: 'merge' });
        slot.sent = body;
        slot.retryMs = undefined;
        this.writes++;
      } catch (err) {
        if (isNotFound(err)) continue; // no such pod (yet): a mirror pod's creation invalidates the slot
        this.log(`kubelet: failed to update status of pod ${key}: ${(err as Error).message}`);
        slot.pending ??= status; // a newer status supersedes this one
        this.retryLater(key, slot);
        return;
      }
    }
  }
}
