// PodTopologySpread: DoNotSchedule constraints filter (a node may not raise the skew of its
// domain above maxSkew; minDomains; node inclusion policies); ScheduleAnyway constraints,
// or the default constraints, score (fewer matching pods in the node's domain is better).
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { HOSTNAME, MatchCounter, SYSTEM_DEFAULT_CONSTRAINTS, countMatching, nodeCounts, podConstraints, type Constraint } from './constraints.js';

export const Name = 'PodTopologySpread';
export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + ' (missing required label)';

export interface PodTopologySpreadArgs {
  defaultConstraints?: TopologySpreadConstraint[];
  defaultingType?: 'System' | 'List';
}

const preFilterKey = `PreFilter${Name}`;
const preScoreKey = `PreScore${Name}`;

class FilterState implements StateData {
  constructor(readonly constraints: Constraint[], readonly counts: Array<Map<string, number>>, private mins: Array<number | undefined> = []) {}
  minMatch(i: number): number {
    let m = this.mins[i];
    if (m === undefined) {
      const c = this.constraints[i];
      const values = [...this.counts[i].values()];
      m = values.length < c.minDomains || values.length === 0 ? 0 : Math.min(...values);
      this.mins[i] = m;
    }
    return m;
  }
  bump(i: number, value: string, n: number): void {
    const m = this.counts[i];
    if (!m.has(value)) return;
    m.set(value, (m.get(value) ?? 0) + n);
    this.mins[i] = undefined;
  }
  clone(): StateData { return new FilterState(this.constraints, this.counts.map((m) => new Map(m)), [...this.mins]); }
}

class ScoreState implements StateData {
  constructor(readonly constraints: Constraint[], readonly counts: Array<Map<string, number>>, readonly weights: number[], readonly ignored: Set<string>, readonly matching: MatchCounter) {}
  clone(): StateData { return this; }
}

export function New(args: PodTopologySpreadArgs | undefined, h: Handle) {
  const systemDefaulted = (args?.defaultingType ?? 'System') === 'System';
  if (systemDefaulted && args?.defaultConstraints?.length) throw new Error('defaultConstraints: Invalid value: when .defaultingType is "System", .defaultConstraints must be empty');
  const defaults = systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : args?.defaultConstraints ?? [];

  function update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    const st = state.read<FilterState>(preFilterKey);
    if (!st || other.namespace !== pod.namespace) return;
    const keys = st.constraints.map((c) => c.topologyKey);
    st.constraints.forEach((c, i) => {
      if (!nodeCounts(c, pod.pod, node, keys) || !c.selector.matches(other.pod.metadata?.labels)) return;
      st.bump(i, node.labels[c.topologyKey], sign);
    });
  }

  return {
    name: Name,
    preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { status: Status } {
      const constraints = podConstraints(pod.pod, 'DoNotSchedule', defaults, h);
      if (!constraints.length) return { status: SKIP };
      const keys = constraints.map((c) => c.topologyKey);
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of nodes) {
        constraints.forEach((c, i) => {
          if (!nodeCounts(c, pod.pod, node, keys)) return;
          const v = node.labels[c.topologyKey];
          counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(c, pod.namespace, node));
        });
      }
      state.write(preFilterKey, new FilterState(constraints, counts));
      return { status: SUCCESS };
    },
    addPod: (state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo) => update(state, pod, added, node, 1),
    removePod: (state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo) => update(state, pod, removed, node, -1),
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
      const st = state.read<FilterState>(preFilterKey);
      if (!st) return SUCCESS;
      const labels = node.labels;
      for (let i = 0; i < st.constraints.length; i++) {
        const c = st.constraints[i];
        const v = labels[c.topologyKey];
        if (v === undefined) return unresolvable(ErrReasonNodeLabelNotMatch);
        const self = c.selector.matches(pod.pod.metadata?.labels) ? 1 : 0;
        const skew = (st.counts[i].get(v) ?? 0) + self - st.minMatch(i);
        if (skew > c.maxSkew) return unschedulable(ErrReasonConstraintsNotMatch);
      }
      return SUCCESS;
    },
    preScore(state: CycleState, pod: PodInfo, filtered: NodeInfo[]): Status {
      const constraints = podConstraints(pod.pod, 'ScheduleAnyway', defaults, h);
      if (!constraints.length) return SKIP;
      // Nodes missing a topology key are left out, except under the system defaults (as
      // upstream: a node without a zone label still scores by hostname).
      const requireAll = !!pod.pod.spec?.topologySpreadConstraints?.length || !systemDefaulted;
      const keys = constraints.map((c) => c.topologyKey);
      const ignored = new Set<string>();
      const domains = constraints.map(() => new Set<string>());
      for (const n of filtered) {
        if (requireAll && !keys.every((k) => n.labels[k] !== undefined)) { ignored.add(n.name); continue; }
        constraints.forEach((c, i) => { if (c.topologyKey !== HOSTNAME) domains[i].add(n.labels[c.topologyKey] ?? ''); });
      }
      // Per-domain counts over every node in a domain seen among the filtered nodes; hostname
      // counts are the node's own pods, taken in Score.
      const counts = constraints.map(() => new Map<string, number>());
      const matching = new MatchCounter(pod.namespace);
      const all = h.nodeInfos();
      const required = requireAll ? keys : [];
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME) return;
        for (const n of all) {
          const v = n.labels[c.topologyKey] ?? '';
          if (!domains[i].has(v) || !nodeCounts(c, pod.pod, n, required)) continue;
          counts[i].set(v, (counts[i].get(v) ?? 0) + matching.count(c, n));
        }
      });
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? filtered.length - ignored.size : domains[i].size) + 2));
      state.write(preScoreKey, new ScoreState(constraints, counts, weights, ignored, matching));
      return SUCCESS;
    },
    score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
      const st = state.read<ScoreState>(preScoreKey);
      if (!st || st.ignored.has(node.name)) return 0;
      let s = 0;
      st.constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey];
        if (v === undefined) return;
        const cnt = c.topologyKey === HOSTNAME ? st.matching.count(c, node) : st.counts[i].get(v) ?? 0;
        s += cnt * st.weights[i] + (c.maxSkew - 1);
      });
      return Math.round(s);
    },
    normalizeScore(state: CycleState, _p: PodInfo, scores: NodeScore[]): void {
      const st = state.read<ScoreState>(preScoreKey);
      if (!st) return;
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (st.ignored.has(s.name)) continue;
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores) {
        if (st.ignored.has(s.name)) { s.score = 0; continue; }
        s.score = max === 0 ? 100 : Math.trunc((100 * (max + min - s.score)) / max);
      }
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Add'), clusterEvent('AssignedPod', 'UpdatePodLabel'), clusterEvent('AssignedPod', 'Delete'),
      clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeLabel'), clusterEvent('Node', 'UpdateNodeTaint'), clusterEvent('Node', 'Delete')],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}
