// The scheduler's writes to the API server: bindings, pod status (PodScheduled condition,
// nominatedNodeName), victim deletions (with the DisruptionTarget condition) and volume
// binding's PV/PVC updates.
import type { PersistentVolume, PersistentVolumeClaim, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../client/rest-client.js';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS } from '../client/resources.js';
import { isNotFound } from '../client/api-status-error.js';
import type { SchedulerClient } from './framework/interfaces.js';

const nowTime = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class ApiWriter implements SchedulerClient {
  constructor(private readonly client: RestClient) {}

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    await this.client.writeOnly('POST', this.client.resource(PODS).ref(ns, name, 'binding'), {
      apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    });
  }

  /**
   * Evicts a preemption victim as upstream does: first the DisruptionTarget condition
   * (reason PreemptionByScheduler) so controllers and users see why it goes, then the delete.
   */
  async deletePod(pod: Pod, message: string): Promise<void> {
    const cur = (pod.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
    if (!(cur?.status === 'True' && cur.reason === 'PreemptionByScheduler' && cur.message === message)) {
      const cond: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message, lastTransitionTime: nowTime() };
      await this.patchStatus(pod, { conditions: [cond] }, 'strategic');
    }
    try {
      await this.client.resource(PODS).delete(pod.metadata!.namespace!, pod.metadata!.name!, { preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  updatePV(pv: PersistentVolume): Promise<PersistentVolume> {
    return this.client.resource(PERSISTENTVOLUMES).update('', pv as PersistentVolume & { metadata: object });
  }

  updatePVC(pvc: PersistentVolumeClaim): Promise<PersistentVolumeClaim> {
    return this.client.resource(PERSISTENTVOLUMECLAIMS).update(pvc.metadata!.namespace!, pvc as PersistentVolumeClaim & { metadata: object });
  }

  async setNominatedNode(pod: Pod, nodeName: string): Promise<void> {
    await this.patchStatus(pod, { nominatedNodeName: nodeName || null });
  }

  /** Sets PodScheduled=False with the reason and message (and the nomination), unless already so. */
  async markUnschedulable(pod: Pod, reason: string, message: string, nominatedNodeName?: string): Promise<void> {
    const cur = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const sameCondition = cur && cur.status === 'False' && cur.reason === reason && cur.message === message;
    const sameNomination = nominatedNodeName === undefined || (pod.status?.nominatedNodeName ?? '') === nominatedNodeName;
    if (sameCondition && sameNomination) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null as any,
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : nowTime(),
    };
    const status: Record<string, unknown> = { conditions: [cond] };
    if (nominatedNodeName !== undefined) status.nominatedNodeName = nominatedNodeName || null;
    await this.patchStatus(pod, status, 'strategic');
  }

  private async patchStatus(pod: Pod, status: Record<string, unknown>, type: 'merge' | 'strategic' = 'merge'): Promise<void> {
    try {
      await this.client.resource(PODS).patch(pod.metadata!.namespace!, pod.metadata!.name!, type, { status }, {}, 'status');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
