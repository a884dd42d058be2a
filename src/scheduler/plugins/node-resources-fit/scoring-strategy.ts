// NodeResourcesFit's scoring strategies: how full a node would be with the pod on it,
// per resource, weighted and averaged into 0..100.
export type StrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
export interface ResourceSpec { name: string; weight?: number }
export interface ShapePoint { utilization: number; score: number }

export interface ScoringStrategy {
  type?: StrategyType;
  resources?: ResourceSpec[];
  requestedToCapacityRatio?: { shape?: ShapePoint[] };
}

/** Upstream's defaults: cpu and memory, weight 1 each. */
export const DEFAULT_RESOURCES: ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
const MAX = 100;
/** Shape scores run 0..10 and are scaled to node scores. */
const MAX_CUSTOM_SCORE = 10;

export function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX) / capacity);
}

export function mostAllocated(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX) / capacity);
}

/** Piecewise-linear through the shape points (utilization 0..100 -> score 0..10, scaled to 0..100). */
export function shapeScorer(shape: ShapePoint[]): (requested: number, capacity: number) => number {
  const pts = [...shape].sort((a, b) => a.utilization - b.utilization).map((p) => ({ u: p.utilization, s: (p.score * MAX) / MAX_CUSTOM_SCORE }));
  return (requested, capacity) => {
    if (capacity === 0 || pts.length === 0) return 0;
    const u = Math.min(MAX, Math.trunc((requested * MAX) / capacity));
    if (u <= pts[0].u) return Math.trunc(pts[0].s);
    for (let i = 1; i < pts.length; i++) {
      if (u <= pts[i].u) {
        const a = pts[i - 1];
        const b = pts[i];
        return Math.trunc(a.s + ((b.s - a.s) * (u - a.u)) / (b.u - a.u));
      }
    }
    return Math.trunc(pts[pts.length - 1].s);
  };
}
