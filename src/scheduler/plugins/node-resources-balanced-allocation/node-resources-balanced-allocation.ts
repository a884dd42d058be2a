// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
// similar proportions with the pod on them (score = (1 - standard deviation) * 100).
import type { EnqueueExtensions, Handle, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { CPU, MEMORY } from '../../framework/resource.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { DEFAULT_RESOURCES, type ResourceSpec } from '../node-resources-fit/scoring-strategy.js';

export const Name = 'NodeResourcesBalancedAllocation';
export interface BalancedAllocationArgs { resources?: ResourceSpec[] }

/** Score from the first `n` fractions (requested/allocatable, each at most 1). */
export function balancedScore(fractions: ArrayLike<number>, n = fractions.length): number {
  if (n === 0) return 0;
  let std: number;
  if (n === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += fractions[i];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (fractions[i] - mean) ** 2;
    std = Math.sqrt(v / n);
  }
  return Math.trunc((1 - std) * 100);
}

export function New(args: BalancedAllocationArgs | undefined, _h: Handle) {
  const resources = args?.resources?.length ? args.resources : DEFAULT_RESOURCES;
  // One scratch buffer per plugin instance: Score runs for every feasible node, synchronously.
  const fractions = new Float64Array(resources.length);
  return {
    name: Name,
    score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
      let n = 0;
      for (const r of resources) {
        const cap = node.allocatable.get(r.name);
        if (cap === 0) continue;
        const req = r.name === CPU || r.name === MEMORY
          ? node.nonZeroRequested.get(r.name) + pod.nonZeroRequests.get(r.name)
          : node.requested.get(r.name) + pod.requests.get(r.name);
        fractions[n++] = Math.min(1, req / cap);
      }
      return balancedScore(fractions, n);
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Delete'), clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeAllocatable')],
  } satisfies ScorePlugin & EnqueueExtensions;
}
