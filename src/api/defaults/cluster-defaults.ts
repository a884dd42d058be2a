// Defaults for core volumes and limits and the smaller groups (each as upstream's
// defaults.go for its group/version).
import type { KubeObject } from '../resources/resource-def.js';

export function defaultPersistentVolume(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
}

export function defaultPersistentVolumeClaim(obj: KubeObject): void {
  (obj.spec ??= {}).volumeMode ??= 'Filesystem';
}

/** LimitRange: a Container limit with max but no default gets default=max; defaultRequest=default (else min). */
export function defaultLimitRange(obj: KubeObject): void {
  for (const item of obj.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    item.default = { ...(item.max ?? {}), ...(item.default ?? {}) };
    item.defaultRequest = { ...(item.min ?? {}), ...(item.default ?? {}), ...(item.defaultRequest ?? {}) };
    if (!Object.keys(item.default).length) delete item.default;
    if (!Object.keys(item.defaultRequest).length) delete item.defaultRequest;
  }
}

export function defaultPodTemplate(obj: KubeObject, podSpec: (s: any) => void): void {
  podSpec(obj.template?.spec);
}


export function defaultStorageClass(obj: KubeObject): void {
  obj.reclaimPolicy ??= 'Delete';
  obj.volumeBindingMode ??= 'Immediate';
}

export function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of obj.ports ?? []) { p.protocol ??= 'TCP'; p.name ??= ''; }
}

export function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.podSelector ??= {};
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
  if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** autoscaling/v2: minReplicas 1; no metrics means 80% average CPU; a given behavior is completed. */
export function defaultHPA(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  const b = spec.behavior;
  if (!b) return;
  b.scaleUp ??= {};
  b.scaleUp.stabilizationWindowSeconds ??= 0;
  b.scaleUp.selectPolicy ??= 'Max';
  b.scaleUp.policies ??= [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }];
  b.scaleDown ??= {};
  b.scaleDown.selectPolicy ??= 'Max';
  b.scaleDown.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
}

/** RBAC subjects: User and Group live in rbac.authorization.k8s.io, ServiceAccount in "". */
export function defaultBinding(obj: KubeObject): void {
  for (const s of obj.subjects ?? []) {
    if (s.apiGroup === undefined) s.apiGroup = s.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io';
    if (s.apiGroup === '') delete s.apiGroup;
  }
}
