// Parsed label selectors of cached API objects, kept per selector object. A ReplicaSet's or
// a pod's selector is the same object until the informer replaces it, yet the scheduler
// reads it for every pod it places (DefaultSelector scans every ReplicaSet, StatefulSet and
// PodDisruptionBudget in the namespace): parsing and validating it each time was a tenth of
// the scheduler's CPU at 100 ReplicaSets. Objects from the informer are never mutated, so
// the cache can never be stale; entries go with their objects (WeakMap).
import type { LabelSelector as V1LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type LabelSelector, labelSelectorFromSpec } from '../../api/selectors/index.js';

const parsed = new WeakMap<V1LabelSelector, LabelSelector | Error>();

/** labelSelectorFromSpec, parsed once per selector object; throws the same error for an invalid one. */
export function selectorFromSpec(spec: V1LabelSelector | null | undefined): LabelSelector {
  if (!spec || typeof spec !== 'object') return labelSelectorFromSpec(spec);
  let s = parsed.get(spec);
  if (s === undefined) {
    try { s = labelSelectorFromSpec(spec); } catch (err) { s = err as Error; }
    parsed.set(spec, s);
  }
  if (s instanceof Error) throw s;
  return s;
}
