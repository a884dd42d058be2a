// What a node may put in the mirror pods it creates (upstream NodeRestriction's admitPodCreate):
// bound to itself, owned by its own Node object only (a controller reference with the
// Node's UID, no blockOwnerDeletion), and referencing no other API object — no service
// account, secret, configmap, cluster trust bundle or claim (directly or as an ephemeral volume) —
// since a node could otherwise read any of them through a pod it made up.
import type { KubeObject } from '../../../../api/resources/resource-def.js';

export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Whether the pod names any secret (volumes, projected sources, env, envFrom, image pull secrets). */
export function referencesSecrets(pod: KubeObject): boolean {
  const spec = pod.spec ?? {};
  if ((spec.imagePullSecrets ?? []).some((s: any) => s?.name)) return true;
  for (const v of spec.volumes ?? []) {
    if (v.secret || v.azureFile?.secretName || v.csi?.nodePublishSecretRef) return true;
    if ([v.cephfs, v.cinder, v.flexVolume, v.iscsi, v.rbd, v.scaleIO, v.storageos].some((s) => s?.secretRef)) return true;
    if ((v.projected?.sources ?? []).some((s: any) => s.secret)) return true;
  }
  return allContainers(pod).some((c) => (c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef) || (c.envFrom ?? []).some((e: any) => e.secretRef));
}

/** Whether the pod names any configmap (volumes, projected sources, env, envFrom). */
export function referencesConfigMaps(pod: KubeObject): boolean {
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap || (v.projected?.sources ?? []).some((s: any) => s.configMap)) return true;
  }
  return allContainers(pod).some((c) => (c.env ?? []).some((e: any) => e.valueFrom?.configMapKeyRef) || (c.envFrom ?? []).some((e: any) => e.configMapRef));
}

const allContainers = (pod: KubeObject): any[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];

/** Why node `node` (whose Node object has `nodeUID`) may not create this pod, in upstream's words; undefined when it may. */
export function mirrorPodRefusal(pod: KubeObject, node: string, nodeUID: string | undefined): string | undefined {
  const q = JSON.stringify(node);
  if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] === undefined) return `pod does not have "${MIRROR_ANNOTATION}" annotation, node ${q} can only create mirror pods`;
  if (pod.spec?.nodeName !== node) return `node ${q} can only create pods with spec.nodeName set to itself`;
  const owners: any[] = pod.metadata?.ownerReferences ?? [];
  if (owners.length > 1) return `node ${q} can only create pods with a single owner reference set to itself`;
  const [owner] = owners;
  if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) return `node ${q} can only create pods with an owner reference set to itself`;
  if (owner.controller !== true) return `node ${q} can only create pods with a controller owner reference set to itself`;
  if (owner.blockOwnerDeletion === true) return `node ${q} must not set blockOwnerDeletion on an owner reference`;
  if (owner.uid !== nodeUID) return `node ${node} UID mismatch: expected ${nodeUID ?? ''} got ${owner.uid ?? ''}`;
  if (pod.spec?.serviceAccountName) return `node ${q} can not create pods that reference a service account`;
  if (referencesSecrets(pod)) return `node ${q} can not create pods that reference secrets`;
  if (referencesConfigMaps(pod)) return `node ${q} can not create pods that reference configmaps`;
  const volumes: any[] = pod.spec?.volumes ?? [];
  if (volumes.some((v) => (v.projected?.sources ?? []).some((s: any) => s.clusterTrustBundle))) return `node ${q} can not create pods that reference clustertrustbundles`;
  if (volumes.some((v) => v.persistentVolumeClaim || v.ephemeral)) return `node ${q} can not create pods that reference persistentvolumeclaims`;
  return undefined;
}
