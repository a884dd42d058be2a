// NodeResourcesFit: Filter checks the pod's requests (containers, init containers and
// overhead, as upstream sums them) against what is left of the node's allocatable; Score
// ranks nodes by one of three strategies (LeastAllocated by default).
import type { EnqueueExtensions, FilterPlugin, Handle, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY } from '../../framework/resource.js';
import { SUCCESS, unschedulable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { DEFAULT_RESOURCES, leastAllocated, mostAllocated, shapeScorer, type ScoringStrategy } from './scoring-strategy.js';

export const Name = 'NodeResourcesFit';
export const ErrReasonTooManyPods = 'Too many pods';
const insufficientText = new Map<string, string>();
/** "Insufficient cpu" — one string per resource, so messages and explain group it by reference. */
export const insufficient = (resource: string): string => {
  let t = insufficientText.get(resource);
  if (t === undefined) insufficientText.set(resource, t = `Insufficient ${resource}`);
  return t;
};

export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: ScoringStrategy;
}

const noneIgnored = () => false;

/** Whether the pod fits; no allocation, as Filter asks it of every node in every cycle. */
export function fits(pod: PodInfo, node: NodeInfo, ignored: (name: string) => boolean = noneIgnored): boolean {
  const a = node.allocatable;
  const r = node.requested;
  const q = pod.requests;
  if (node.pods.length + 1 > a.allowedPodNumber) return false;
  if (q.milliCPU > 0 && q.milliCPU > a.milliCPU - r.milliCPU) return false;
  if (q.memory > 0 && q.memory > a.memory - r.memory) return false;
  if (q.ephemeralStorage > 0 && q.ephemeralStorage > a.ephemeralStorage - r.ephemeralStorage) return false;
  if (q.scalar.size) {
    for (const [name, want] of q.scalar) if (want !== 0 && !ignored(name) && want > a.get(name) - r.get(name)) return false;
  }
  return true;
}

/** Every resource the pod is short of on this node, as upstream lists them. */
export function insufficientResources(pod: PodInfo, node: NodeInfo, ignored: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  if (node.pods.length + 1 > node.allocatable.allowedPodNumber) out.push(ErrReasonTooManyPods);
  const req = pod.requests;
  if (req.isZero()) return out;
  const left = (name: string) => node.allocatable.get(name) - node.requested.get(name);
  for (const name of [CPU, MEMORY, EPHEMERAL_STORAGE]) {
    const want = req.get(name);
    if (want > 0 && want > left(name)) out.push(insufficient(name));
  }
  for (const [name, want] of req.scalar) {
    if (want === 0 || ignored(name)) continue;
    if (want > left(name)) out.push(insufficient(name));
  }
  return out;
}

export function New(args: NodeResourcesFitArgs | undefined, _h: Handle) {
  const ignoredNames = new Set(args?.ignoredResources ?? []);
  const ignoredGroups = new Set(args?.ignoredResourceGroups ?? []);
  const ignored = (name: string) => ignoredNames.has(name) || (name.includes('/') && ignoredGroups.has(name.split('/')[0]));
  const strategy = args?.scoringStrategy ?? {};
  const resources = strategy.resources?.length ? strategy.resources : DEFAULT_RESOURCES;
  const type = strategy.type ?? 'LeastAllocated';
  const f = type === 'MostAllocated' ? mostAllocated
    : type === 'RequestedToCapacityRatio' ? shapeScorer(strategy.requestedToCapacityRatio?.shape ?? [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }])
      : leastAllocated;
  return {
    name: Name,
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      if (fits(pod, node, ignored)) return SUCCESS;
      return unschedulable(...insufficientResources(pod, node, ignored));
    },
    score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
      // Weighted average over the resources the node has (zero allocatable skipped); cpu and
      // memory count the nonzero defaults for containers without requests, so that
      // request-less pods still spread. A plain loop: Score runs for every feasible node.
      let sum = 0;
      let weights = 0;
      for (const r of resources) {
        const cap = node.allocatable.get(r.name);
        if (cap === 0) continue;
        const requested = r.name === CPU || r.name === MEMORY
          ? node.nonZeroRequested.get(r.name) + pod.nonZeroRequests.get(r.name)
          : node.requested.get(r.name) + pod.requests.get(r.name);
        const w = r.weight ?? 1;
        sum += f(requested, cap) * w;
        weights += w;
      }
      return weights === 0 ? 0 : Math.trunc(sum / weights);
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Delete'), clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeAllocatable')],
  } satisfies FilterPlugin & ScorePlugin & EnqueueExtensions;
}
