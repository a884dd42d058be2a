// InterPodAffinity: required pod affinity and anti-affinity by topology key (including the
// anti-affinity of pods already running, which binds the newcomer too), and the preferred
// terms as scores. Counts per topology pair are computed once in PreFilter / PreScore.
import type { EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { TopologyCounts } from './topology-counts.js';

export const Name = 'InterPodAffinity';
export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

export interface InterPodAffinityArgs { hardPodAffinityWeight?: number; ignorePreferredTermsOfExistingPods?: boolean }

const preFilterKey = `PreFilter${Name}`;
const preScoreKey = `PreScore${Name}`;

class FilterState implements StateData {
  constructor(
    /** Existing pods' required anti-affinity terms that match the incoming pod. */
    readonly existingAnti = new TopologyCounts(),
    /** Existing pods matching all of the incoming pod's required affinity terms. */
    readonly affinity = new TopologyCounts(),
    /** Existing pods matching one of the incoming pod's required anti-affinity terms. */
    readonly anti = new TopologyCounts(),
  ) {}
  clone(): StateData { return new FilterState(this.existingAnti.clone(), this.affinity.clone(), this.anti.clone()); }
}

class ScoreState implements StateData {
  constructor(readonly scores = new TopologyCounts()) {}
  clone(): StateData { return this; }
}

export function New(args: InterPodAffinityArgs | undefined, h: Handle) {
  const hardWeight = args?.hardPodAffinityWeight ?? 1;
  const ignoreExistingPreferred = !!args?.ignorePreferredTermsOfExistingPods;
  const nsLabels = (ns: string) => h.namespaceLabels(ns);

  /** Adds (sign 1) or removes (-1) one existing pod's contribution to the filter counts. */
  function account(st: FilterState, pod: PodInfo, existing: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    const labels = node.labels;
    for (const t of existing.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(pod.pod, nsLabels)) st.existingAnti.add(t.topologyKey, v, sign);
    }
    if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => t.matches(existing.pod, nsLabels))) {
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) st.affinity.add(t.topologyKey, v, sign);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(existing.pod, nsLabels)) st.anti.add(t.topologyKey, v, sign);
    }
  }

  return {
    name: Name,
    preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { status: Status } {
      const st = new FilterState();
      const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
      for (const node of own ? nodes : h.nodesWithRequiredAntiAffinityPods()) {
        for (const existing of node.pods) {
          if (!own && existing.requiredAntiAffinity.length === 0) continue;
          account(st, pod, existing, node, 1);
        }
      }
      if (!own && st.existingAnti.isEmpty()) return { status: SKIP };
      state.write(preFilterKey, st);
      return { status: SUCCESS };
    },
    addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
      const st = state.read<FilterState>(preFilterKey);
      if (st) account(st, pod, added, node, 1);
    },
    removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
      const st = state.read<FilterState>(preFilterKey);
      if (st) account(st, pod, removed, node, -1);
    },
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
      const st = state.read<FilterState>(preFilterKey);
      if (!st) return SUCCESS;
      const labels = node.labels;
      if (st.existingAnti.hitsNode(labels)) return unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
      for (const t of pod.requiredAntiAffinity) {
        if (st.anti.get(t.topologyKey, labels[t.topologyKey]) > 0) return unschedulable(ErrReasonAntiAffinityRulesNotMatch);
      }
      if (pod.requiredAffinity.length) {
        const fits = pod.requiredAffinity.every((t) => st.affinity.get(t.topologyKey, labels[t.topologyKey]) > 0);
        if (!fits) {
          // The first pod of a group that selects itself may go anywhere with the keys.
          const first = st.affinity.isEmpty() && pod.requiredAffinity.every((t) => labels[t.topologyKey] !== undefined && t.matches(pod.pod, nsLabels));
          if (!first) return unresolvable(ErrReasonAffinityRulesNotMatch);
        }
      }
      return SUCCESS;
    },
    preScore(state: CycleState, pod: PodInfo, _nodes: NodeInfo[]): Status {
      const own = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
      if (!own && ignoreExistingPreferred) return SKIP;
      const all = own ? h.nodeInfos() : h.nodesWithAffinityPods();
      if (all.length === 0) return SKIP;
      const scores = new TopologyCounts();
      const addTerm = (key: string, labels: Record<string, string>, w: number) => {
        const v = labels[key];
        if (v !== undefined && w !== 0) scores.add(key, v, w);
      };
      for (const node of all) {
        if (!own && node.podsWithAffinity === 0) continue;
        const labels = node.labels;
        for (const ex of node.pods) {
          for (const t of pod.preferredAffinity) if (t.matches(ex.pod, nsLabels)) addTerm(t.topologyKey, labels, t.weight);
          for (const t of pod.preferredAntiAffinity) if (t.matches(ex.pod, nsLabels)) addTerm(t.topologyKey, labels, -t.weight);
          if (!ex.hasAffinity()) continue;
          for (const t of ex.requiredAffinity) if (t.matches(pod.pod, nsLabels)) addTerm(t.topologyKey, labels, hardWeight);
          if (ignoreExistingPreferred) continue;
          for (const t of ex.preferredAffinity) if (t.matches(pod.pod, nsLabels)) addTerm(t.topologyKey, labels, t.weight);
          for (const t of ex.preferredAntiAffinity) if (t.matches(pod.pod, nsLabels)) addTerm(t.topologyKey, labels, -t.weight);
        }
      }
      state.write(preScoreKey, new ScoreState(scores));
      return SUCCESS;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const st = state.read<ScoreState>(preScoreKey);
      if (!st) return 0;
      let s = 0;
      for (const [key, m] of st.scores.byKey) {
        const v = node.labels[key];
        if (v !== undefined) s += m.get(v) ?? 0;
      }
      return s;
    },
    normalizeScore(state: CycleState, _p: PodInfo, scores: NodeScore[]): void {
      if (!state.read<ScoreState>(preScoreKey) || scores.length === 0) return;
      const min = Math.min(...scores.map((s) => s.score));
      const max = Math.max(...scores.map((s) => s.score));
      for (const s of scores) s.score = max > min ? Math.trunc((100 * (s.score - min)) / (max - min)) : 0;
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Add'), clusterEvent('AssignedPod', 'Update'), clusterEvent('AssignedPod', 'Delete'),
      clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeLabel')],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}
