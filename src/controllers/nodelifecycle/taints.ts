// The taints the node lifecycle controller manages, and toleration matching.
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const PID_PRESSURE = 'node.kubernetes.io/pid-pressure';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if ((t.operator ?? 'Equal') === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * For a pod on a node with these NoExecute taints: 'now' (some taint is not tolerated),
 * 'never' (all tolerated forever), or milliseconds after the taints were added.
 */
export function evictionDelay(pod: Pod, taints: Taint[]): 'now' | 'never' | number {
  let min = Infinity;
  for (const taint of taints) {
    const ts = (pod.spec?.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (!ts.length) return 'now';
    for (const t of ts) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
  }
  return min === Infinity ? 'never' : min;
}
