// Upstream's local storage limits (LocalStorageCapacityIsolation), checked every eviction
// round before the node-pressure thresholds: a pod is evicted at once (1 s grace), with
// reason Evicted and no DisruptionTarget condition, when an emptyDir volume holds more than
// its sizeLimit, when the pod's ephemeral storage (containers' writable layers and logs plus
// its local volumes) exceeds the sum of its containers' ephemeral-storage limits, or when one
// container's writable layer and logs exceed its own limit — checked in that order.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity/index.js';
import { isCriticalPod, type PodUse } from './eviction-ranking.js';

const bytes = (q: string | undefined) => (q === undefined ? undefined : parseQuantity(q).value());
const shown = (q: string) => parseQuantity(q).toString();

/** The sum of the containers' ephemeral-storage limits, as upstream's PodLimits (only limits that are set). */
function podLimit(pod: Pod): string | undefined {
  const limits = (pod.spec?.containers ?? []).map((c) => c.resources?.limits?.['ephemeral-storage']).filter((q): q is string => q !== undefined);
  if (!limits.length) return undefined;
  let total = parseQuantity(limits[0]);
  for (const q of limits.slice(1)) total = total.add(parseQuantity(q));
  return total.toString();
}

/** The eviction message when the pod breaks one of its local storage limits, else undefined. */
export function localStorageViolation(u: PodUse): string | undefined {
  if (isCriticalPod(u.pod)) return undefined;
  const spec = u.pod.spec;
  for (const v of spec?.volumes ?? []) {
    const limit = v.emptyDir?.sizeLimit;
    const used = u.volumes?.[v.name];
    if (limit === undefined || used === undefined) continue;
    const max = bytes(limit)!;
    if (max > 0 && used > max) return `Usage of EmptyDir volume ${JSON.stringify(v.name)} exceeds the limit ${JSON.stringify(shown(limit))}. `;
  }
  const limit = podLimit(u.pod);
  if (limit !== undefined) {
    const total = u.containers.reduce((s, c) => s + (c.ephemeralBytes ?? 0), 0) + Object.values(u.volumes ?? {}).reduce((s, b) => s + b, 0);
    if (total > bytes(limit)!) return `Pod ephemeral local storage usage exceeds the total limit of containers ${limit}. `;
  }
  for (const c of u.containers) {
    const q = spec?.containers?.find((x) => x.name === c.name)?.resources?.limits?.['ephemeral-storage'];
    const max = bytes(q);
    if (q === undefined || !max) continue;
    if ((c.ephemeralBytes ?? 0) > max) return `Container ${c.name} exceeded its local ephemeral storage limit ${JSON.stringify(shown(q))}. `;
  }
  return undefined;
}
