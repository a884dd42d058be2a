// Which PersistentVolume a claim may bind to (upstream's findMatchingVolume): same storage
// class and volume mode, every access mode the claim asks for, enough capacity, labels
// that the claim's selector selects, node affinity that admits the selected node, and not
// promised to another claim. A volume pre-bound to this claim wins; otherwise the smallest.
import type { Node, NodeSelectorRequirement, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../../api/quantity/index.js';
import { specMatchesLabels } from '../../../api/selectors/index.js';

export const claimClass = (c: PersistentVolumeClaim): string => c.spec?.storageClassName ?? '';
export const volumeClass = (v: PersistentVolume): string => v.spec?.storageClassName ?? '';

/** The volume's claimRef names this claim (a uid, when set, must match too). */
export function refersTo(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const r = v.spec?.claimRef;
  if (!r || r.name !== c.metadata?.name || r.namespace !== c.metadata?.namespace) return false;
  return !r.uid || r.uid === c.metadata?.uid;
}

function requirementMatches(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const v = labels[req.key];
  switch (req.operator) {
    case 'In': return v !== undefined && (req.values ?? []).includes(v);
    case 'NotIn': return v === undefined || !(req.values ?? []).includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': return v !== undefined && Number(v) > Number(req.values?.[0]);
    case 'Lt': return v !== undefined && Number(v) < Number(req.values?.[0]);
    default: return false;
  }
}

/** Does the volume's nodeAffinity admit this node? (No affinity admits every node.) */
export function admitsNode(v: PersistentVolume, node: Node | undefined): boolean {
  const terms = v.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms?.length) return true;
  if (!node) return false;
  const labels = node.metadata?.labels ?? {};
  return terms.some((t) => (t.matchExpressions ?? []).every((e) => requirementMatches(e, labels))
    && (t.matchFields ?? []).every((e) => requirementMatches(e, { 'metadata.name': node.metadata!.name! })));
}

export function volumeFits(v: PersistentVolume, c: PersistentVolumeClaim, node?: Node | null): boolean {
  if (v.metadata?.deletionTimestamp) return false;
  if (v.spec?.claimRef && !refersTo(v, c)) return false;
  if (volumeClass(v) !== claimClass(c)) return false;
  if ((v.spec?.volumeMode ?? 'Filesystem') !== (c.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes = v.spec?.accessModes ?? [];
  if (!(c.spec?.accessModes ?? []).every((m) => modes.includes(m))) return false;
  const want = c.spec?.resources?.requests?.storage;
  const have = v.spec?.capacity?.storage;
  if (want !== undefined && (have === undefined || Quantity.parse(have).cmp(Quantity.parse(want)) < 0)) return false;
  if (c.spec?.selector && !specMatchesLabels(c.spec.selector, v.metadata?.labels ?? {})) return false;
  if (node !== undefined && !admitsNode(v, node ?? undefined)) return false;
  // Only Available volumes (or one already promised to this claim) take new claims.
  if (!v.spec?.claimRef && v.status?.phase && v.status.phase !== 'Available' && v.status.phase !== 'Pending') return false;
  return true;
}

/** `node`: the scheduler's selected node for WaitForFirstConsumer claims (null when it has none). */
export function findMatchingVolume(volumes: PersistentVolume[], c: PersistentVolumeClaim, node?: Node | null): PersistentVolume | undefined {
  const fits = volumes.filter((v) => volumeFits(v, c, node));
  const pre = fits.find((v) => v.spec?.claimRef);
  if (pre) return pre;
  return fits.sort((a, b) => Quantity.parse(a.spec?.capacity?.storage ?? '0').cmp(Quantity.parse(b.spec?.capacity?.storage ?? '0')))[0];
}
