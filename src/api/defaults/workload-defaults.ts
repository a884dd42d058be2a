// apps/v1 defaults (apps/v1 defaults.go): replicas 1, rolling update 25%/25%, history 10.
import type { KubeObject } from '../resources/resource-def.js';
import { defaultPodSpec } from './pod-defaults.js';

export function defaultDeployment(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodSpec(spec.template?.spec);
}

export function defaultReplicaSet(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  defaultPodSpec(spec.template?.spec);
}

export function defaultStatefulSet(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (spec.updateStrategy.type === 'RollingUpdate') { spec.updateStrategy.rollingUpdate ??= {}; spec.updateStrategy.rollingUpdate.partition ??= 0; }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
  for (const pvc of spec.volumeClaimTemplates ?? []) {
    pvc.apiVersion ??= 'v1'; pvc.kind ??= 'PersistentVolumeClaim';
    (pvc.spec ??= {}).volumeMode ??= 'Filesystem';
    (pvc.status ??= {}).phase ??= 'Pending';
  }
  defaultPodSpec(spec.template?.spec);
}

export function defaultDaemonSet(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodSpec(spec.template?.spec);
}

/** core/v1 ReplicationController: selector and labels default to the template's labels. */
export function defaultReplicationController(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (!spec.selector || !Object.keys(spec.selector).length) spec.selector = { ...labels };
    const meta = (obj.metadata ??= {});
    if (!meta.labels || !Object.keys(meta.labels).length) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodSpec(spec.template?.spec);
}
