// A pod's QoS class (Guaranteed, Burstable, BestEffort) from its containers' requests and
// limits, as upstream computes it for status.qosClass, cgroup placement and OOM scores.
import type { Pod, Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../api/quantity/index.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const TRACKED = ['cpu', 'memory'];

function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export function podQOSClass(pod: Pod): QOSClass {
  let anySet = false;
  let guaranteed = true;
  for (const c of allContainers(pod)) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of TRACKED) {
      const q = req[r] ?? lim[r]; // a limit alone defaults the request to it
      if (q !== undefined && !parseQuantity(q).isZero()) anySet = true;
      const l = lim[r];
      if (l === undefined || parseQuantity(l).isZero()) { guaranteed = false; continue; }
      if (req[r] !== undefined && !parseQuantity(req[r]).equals(parseQuantity(l))) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
