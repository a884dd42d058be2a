// What a hollow pod "uses": nothing runs, so usage is declared, the way kwok simulates
// metrics — the pod annotation hollow.tskube.io/usage, JSON by container name:
//   {"app": {"memory": "300Mi", "ephemeral-storage": "2Gi", "pids": 40}}
// It is read afresh from the pod on every look, so editing the annotation changes the
// usage at once. The eviction manager and /metrics/resource see these figures for hollow pods.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity/index.js';

export const USAGE_ANNOTATION = 'hollow.tskube.io/usage';

export interface SimulatedUsage { memoryBytes: number; ephemeralBytes: number; pids: number }

/** Per container name; a malformed annotation counts as no usage. */
export function simulatedUsage(pod: Pod): Map<string, SimulatedUsage> {
  const out = new Map<string, SimulatedUsage>();
  const text = pod.metadata?.annotations?.[USAGE_ANNOTATION];
  if (!text) return out;
  try {
    const doc = JSON.parse(text) as Record<string, Record<string, string | number>>;
    const bytes = (v: string | number | undefined) => (v === undefined ? 0 : parseQuantity(v).value());
    for (const [name, u] of Object.entries(doc)) {
      out.set(name, { memoryBytes: bytes(u.memory), ephemeralBytes: bytes(u['ephemeral-storage']), pids: Number(u.pids ?? 0) });
    }
  } catch {
    return new Map();
  }
  return out;
}
