// What the volume plugins share about PersistentVolumes and their claims: storage class
// names (the beta annotation wins, as upstream), the claims a pod's volumes name, binding
// modes, and whether a PV's node affinity admits a node.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { nodeSelectorMatches } from './node-selector.js';

const BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** Set by the PV controller once it has bound a claim. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The node the scheduler chose for a claim to be provisioned for (WaitForFirstConsumer). */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

export const claimClass = (pvc: PersistentVolumeClaim): string => pvc.metadata?.annotations?.[BETA_CLASS] ?? pvc.spec?.storageClassName ?? '';
export const volumeClass = (pv: PersistentVolume): string => pv.metadata?.annotations?.[BETA_CLASS] ?? pv.spec?.storageClassName ?? '';

/** A claim the pod uses: a persistentVolumeClaim volume, or the claim of a generic ephemeral volume (POD-VOLUME). */
export interface PodClaim { name: string; ephemeral: boolean }

export function podClaims(pod: Pod): PodClaim[] {
  const out: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata?.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

export const isFullyBound = (pvc: PersistentVolumeClaim): boolean => !!pvc.spec?.volumeName && pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;

/** WaitForFirstConsumer claims wait for the scheduler; a claim without (a known) class binds at once. */
export function isDelayBinding(pvc: PersistentVolumeClaim, classes: (name: string) => StorageClass | undefined): boolean {
  const name = claimClass(pvc);
  if (!name) return false;
  const sc = classes(name);
  if (!sc) return false;
  if (!sc.volumeBindingMode) throw new Error(`VolumeBindingMode not set for StorageClass "${name}"`);
  return sc.volumeBindingMode === 'WaitForFirstConsumer';
}

/** A PV's required node affinity against a node's labels (node names are not matched, as upstream). */
export function volumeFitsNode(pv: PersistentVolume, labels: Record<string, string>): boolean {
  const req = pv.spec?.nodeAffinity?.required;
  return !req || nodeSelectorMatches(req, { metadata: { labels } });
}
