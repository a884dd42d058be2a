// Which existing PV an unbound claim would get on a node (upstream FindMatchingVolume): one
// pre-bound to the claim, else the smallest Available PV of the claim's class that is big
// enough, has every access mode and the volume mode asked for, matches the claim's selector
// and whose node affinity admits the node.
import type { PersistentVolume, PersistentVolumeClaim, TopologySelectorTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromSpec } from '../../../api/selectors/index.js';
import { amount } from '../../framework/resource.js';
import { claimClass, volumeClass, volumeFitsNode } from '../../util/volumes.js';

const storage = (list: Record<string, unknown> | undefined): number => (list?.storage === undefined ? 0 : amount('storage', list.storage as string));
export const requestedStorage = (pvc: PersistentVolumeClaim): number => storage(pvc.spec?.resources?.requests as Record<string, unknown> | undefined);
const capacity = (pv: PersistentVolume): number => storage(pv.spec?.capacity as Record<string, unknown> | undefined);

/** The PV's claimRef names this claim (and, when it carries one, its uid). */
export function boundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

const accessModesFit = (pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean =>
  (pvc.spec?.accessModes ?? []).every((m) => (pv.spec?.accessModes ?? []).includes(m));

export function findMatchingVolume(pvc: PersistentVolumeClaim, pvs: PersistentVolume[], nodeLabels: Record<string, string>, excluded: Set<string>): PersistentVolume | undefined {
  const want = requestedStorage(pvc);
  const cls = claimClass(pvc);
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  let selector;
  try { selector = pvc.spec?.selector ? labelSelectorFromSpec(pvc.spec.selector) : undefined; } catch { return undefined; }
  let best: PersistentVolume | undefined;
  for (const pv of pvs) {
    const name = pv.metadata?.name ?? '';
    if (excluded.has(name)) continue;
    if (pv.spec?.claimRef && !boundToClaim(pv, pvc)) continue;
    if (capacity(pv) < want) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    const fits = volumeFitsNode(pv, nodeLabels);
    // A PV pre-bound to this claim is the answer, or there is none.
    if (boundToClaim(pv, pvc)) return fits ? pv : undefined;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!fits || !accessModesFit(pvc, pv)) continue;
    if (!best || capacity(pv) < capacity(best)) best = pv;
  }
  return best;
}

/** A StorageClass's allowedTopologies against a node's labels: no terms allow anywhere; an empty term matches nothing. */
export function topologyAllows(terms: TopologySelectorTerm[] | undefined, labels: Record<string, string>): boolean {
  if (!terms?.length) return true;
  return terms.some((t) => !!t.matchLabelExpressions?.length && t.matchLabelExpressions.every((e) => labels[e.key] !== undefined && e.values.includes(labels[e.key])));
}
