// Writes pod statuses to the API server: one PATCH of pods/NAME/status per change, never two
// at once for the same pod (the newest waiting status wins). A static pod's status goes to
// its mirror pod, which has the same namespace and name.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isNotFound, type Logger, PODS, type RestClient } from '../../client/index.js';

interface Slot { sent?: string; inFlight?: Promise<void>; pending?: PodStatus }

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
    slot.inFlight = this.drain(key, slot).finally(() => {
      slot.inFlight = undefined;
      // a status set between the loop's end and here still goes out
      if (slot.pending) this.startDrain(key, slot);
    });
  }

  /** Forget a pod (it is gone); a later pod of the same name starts fresh. */
  forget(pod: Pod): void {
    this.slots.delete(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
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
        await this.client!.resource(PODS).patch(ns, name, 'merge', { status }, {}, 'status');
        slot.sent = body;
        this.writes++;
      } catch (err) {
        if (!isNotFound(err)) this.log(`kubelet: failed to update status of pod ${key}: ${(err as Error).message}`);
      }
    }
  }
}
