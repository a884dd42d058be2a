// What a PodDisruptionBudget's status says, from its pods and their controllers' scale
// (upstream's getExpectedPodCount, countHealthyPods and buildDisruptedPodMap).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { isReady } from '../util/pod-state.js';
import { scaledIntOrPercent } from './int-or-percent.js';

/** An eviction not yet followed by the pod's deletion stops counting after this. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface Expected { expectedCount: number; desiredHealthy: number; unmanagedPods: string[] }

/** `scaleOf(pod)` answers the replicas of the pod's top controller (uid and count), or undefined when it has none. */
export function expectedPods(pdb: PodDisruptionBudget, pods: Pod[], scaleOf: (p: Pod) => { uid: string; replicas: number } | undefined): Expected {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  const unmanagedPods: string[] = [];
  const scale = () => {
    const seen = new Map<string, number>();
    for (const p of pods) {
      const s = scaleOf(p);
      if (!s) { unmanagedPods.push(p.metadata!.name!); continue; }
      seen.set(s.uid, s.replicas);
    }
    let n = 0;
    for (const r of seen.values()) n += r;
    return n;
  };
  if (maxUnavailable !== undefined) {
    const expectedCount = scale();
    const max = scaledIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - max), unmanagedPods };
  }
  if (minAvailable !== undefined && (typeof minAvailable === 'number' || /^\d+$/.test(minAvailable))) {
    return { expectedCount: pods.length, desiredHealthy: Number(minAvailable), unmanagedPods };
  }
  if (minAvailable !== undefined) {
    const expectedCount = scale();
    return { expectedCount, desiredHealthy: scaledIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: pods.length, desiredHealthy: 0, unmanagedPods };
}

/** status.disruptedPods without pods that are gone, deleting, or past the timeout; and when to look again. */
export function disruptedPodMap(pdb: PodDisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; recheckMs?: number } {
  const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
  const disrupted: Record<string, string> = {};
  let recheckMs: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const p = byName.get(name);
    if (!p || p.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires <= now) continue;
    disrupted[name] = at;
    recheckMs = Math.min(recheckMs ?? Infinity, expires - now);
  }
  return { disrupted, recheckMs };
}

export function countHealthy(pods: Pod[], disrupted: Record<string, string>): number {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && !(p.metadata!.name! in disrupted) && isReady(p)).length;
}
