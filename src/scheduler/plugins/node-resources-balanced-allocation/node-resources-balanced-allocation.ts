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

export function balancedScore(fractions: number[]): number {
  if (fractions.length === 0) return 0;
  let std: number;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * 100);
}

export function New(args: BalancedAllocationArgs | undefined, _h: Handle) {
  const resources = args?.resources?.length ? args.resources : DEFAULT_RESOURCES;
  return {
    name: Name,
    score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
      const fractions: number[] = [];
      for (const r of resources) {
        const cap = node.allocatable.get(r.name);
        if (cap === 0) continue;
        const req = r.name === CPU || r.name === MEMORY
          ? node.nonZeroRequested.get(r.name) + pod.nonZeroRequests.get(r.name)
          : node.requested.get(r.name) + pod.requests.get(r.name);
        fractions.push(Math.min(1, req / cap));
      }
      return balancedScore(fractions);
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Delete'), clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeAllocatable')],
  } satisfies ScorePlugin & EnqueueExtensions;
}
