// Creating pods from a controller's template and deleting them, with upstream's events:
// SuccessfulCreate "Created pod: NAME", FailedCreate "Error creating: …",
// SuccessfulDelete "Deleted pod: NAME", FailedDelete "Error deleting: …".
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { type EventRecorder, PODS, isNotFound, type RestClient } from '../../client/index.js';
import { newControllerRef } from './controller-ref.js';

export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, generateName: string, extra: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Pod {
  const tm = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      namespace: owner.metadata!.namespace,
      labels: { ...(tm.labels ?? {}), ...(extra.labels ?? {}) },
      annotations: { ...(tm.annotations ?? {}), ...(extra.annotations ?? {}) },
      ownerReferences: [newControllerRef(owner)],
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
    },
    spec: structuredClone(template.spec!),
  };
  if (extra.name) pod.metadata!.name = extra.name; else pod.metadata!.generateName = generateName;
  if (!Object.keys(pod.metadata!.annotations!).length) delete pod.metadata!.annotations;
  return pod;
}

export class PodControl {
  constructor(private readonly client: RestClient, private readonly recorder: EventRecorder) {}

  async create(owner: KubeObject, pod: Pod): Promise<Pod> {
    try {
      const created = await this.client.resource(PODS).create(owner.metadata!.namespace!, pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata!.name}`);
      return created;
    } catch (err) {
      // A namespace being deleted refuses new pods; upstream records no event for that.
      if (!/because it is being terminated/.test((err as Error).message)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  async delete(owner: KubeObject, pod: Pod): Promise<void> {
    try {
      await this.client.resource(PODS).delete(pod.metadata!.namespace!, pod.metadata!.name!, { preconditions: { uid: pod.metadata!.uid } });
      this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}
