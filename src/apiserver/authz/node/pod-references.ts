// What a pod makes its node read: secrets, configmaps and claims named by its volumes,
// env, envFrom and imagePullSecrets, and its service account.
import type { KubeObject } from '../../../api/resources/resource-def.js';

export interface PodReferences { secrets: Set<string>; configmaps: Set<string>; persistentvolumeclaims: Set<string>; serviceaccounts: Set<string> }

export function podReferences(pod: KubeObject): PodReferences {
  const out: PodReferences = { secrets: new Set(), configmaps: new Set(), persistentvolumeclaims: new Set(), serviceaccounts: new Set() };
  const spec = pod.spec ?? {};
  const add = (set: Set<string>, v: unknown) => { if (typeof v === 'string' && v) set.add(v); };
  add(out.serviceaccounts, spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add(out.secrets, s?.name);
  for (const v of spec.volumes ?? []) {
    add(out.secrets, v.secret?.secretName);
    add(out.configmaps, v.configMap?.name);
    add(out.persistentvolumeclaims, v.persistentVolumeClaim?.claimName);
    add(out.secrets, v.csi?.nodePublishSecretRef?.name);
    add(out.secrets, v.azureFile?.secretName);
    for (const ref of [v.cephfs, v.cinder, v.flexVolume, v.iscsi, v.rbd, v.scaleIO, v.storageos]) add(out.secrets, ref?.secretRef?.name);
    for (const src of v.projected?.sources ?? []) { add(out.secrets, src.secret?.name); add(out.configmaps, src.configMap?.name); }
    if (v.ephemeral) add(out.persistentvolumeclaims, `${pod.metadata?.name}-${v.name}`);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) { add(out.secrets, e.valueFrom?.secretKeyRef?.name); add(out.configmaps, e.valueFrom?.configMapKeyRef?.name); }
    for (const e of c.envFrom ?? []) { add(out.secrets, e.secretRef?.name); add(out.configmaps, e.configMapRef?.name); }
  }
  return out;
}
