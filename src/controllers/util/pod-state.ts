// Pod predicates the workload controllers share (upstream's podutil and controller_utils).
import type { Pod } from 'kubernetes-types/core/v1.js';

export const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** Counts toward a controller's replicas: not finished and not being deleted. */
export const isActive = (p: Pod): boolean => !isTerminal(p) && !p.metadata?.deletionTimestamp;
export const isReady = (p: Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Ready for at least minReadySeconds (judged by the Ready condition's lastTransitionTime). */
export function isAvailable(p: Pod, minReadySeconds: number, now = Date.now()): boolean {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'Ready');
  if (!c || c.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return t + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available (0 when it already is or never will be). */
export function msUntilAvailable(p: Pod, minReadySeconds: number, now = Date.now()): number {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'Ready');
  if (!c || c.status !== 'True' || !minReadySeconds) return 0;
  return Math.max(0, Date.parse(c.lastTransitionTime ?? '') + minReadySeconds * 1000 - now);
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Upstream's ActivePods ordering for scale-down: pods to delete first sort first —
 * unassigned before assigned, pending before unknown before running, not ready before
 * ready, more restarts before fewer, newer before older.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const an = a.spec?.nodeName ? 1 : 0; const bn = b.spec?.nodeName ? 1 : 0;
  if (an !== bn) return an - bn;
  const ap = phaseRank[a.status?.phase ?? 'Pending'] ?? 0; const bp = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isReady(a) ? 1 : 0; const br = isReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const at = Date.parse(a.metadata?.creationTimestamp ?? '') || 0; const bt = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  return bt - at;
}
