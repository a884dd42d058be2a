// One scheduling decision (upstream schedulePod): PreFilter, Filter over enough nodes,
// PreScore and Score over the feasible ones, and the host with the best weighted score
// (ties broken at random). Synchronous, so no other decision interleaves before the
// caller assumes the pod onto its node.
import type { Framework, PluginScores } from './framework/framework.js';
import { CycleState } from './framework/cycle-state.js';
import type { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import { Code, Status } from './framework/status.js';

export const MIN_FEASIBLE_NODES = 100;
export const MIN_FEASIBLE_PERCENTAGE = 5;

/** How many feasible nodes to find before scoring (upstream numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(percentage: number | undefined, numAll: number): number {
  if (numAll < MIN_FEASIBLE_NODES) return numAll;
  let pct = percentage ?? 0;
  if (pct >= 100) return numAll;
  if (pct === 0) pct = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(numAll / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.trunc((numAll * pct) / 100));
}

export interface Decision {
  state: CycleState;
  /** Chosen node; undefined when none fits. */
  node?: string;
  numNodes: number;
  feasible: number;
  /** Rejected nodes with the plugin's status. */
  statuses: Map<string, Status>;
  /** PreFilter's rejection, when the pod failed before any node was tried. */
  preFilterStatus?: Status;
  /** The scored (feasible) nodes, and their totals and per-plugin scores, index-aligned. */
  scored?: NodeInfo[];
  totals?: Float64Array;
  perPlugin?: PluginScores[];
  /** Plugins that rejected at least one node (or the pod at PreFilter). */
  rejectors: Set<string>;
}

export class Scheduler1 {
  private nextStart = 0;

  constructor(private readonly nodeInfos: () => NodeInfo[], private readonly percentageOfNodesToScore: () => number | undefined) {}

  /** `recordPluginMetrics`: time each plugin in this cycle (a sample of cycles, as upstream). */
  schedule(fw: Framework, pod: PodInfo, recordPluginMetrics = false): Decision {
    const state = new CycleState();
    state.recordPluginMetrics = recordPluginMetrics;
    const all = this.nodeInfos();
    const d: Decision = { state, numNodes: all.length, feasible: 0, statuses: new Map(), rejectors: new Set() };
    if (all.length === 0) return d;
    const pre = fw.runPreFilter(state, pod, all);
    if (!pre.status.isSuccess()) {
      d.preFilterStatus = pre.status;
      if (pre.status.plugin) d.rejectors.add(pre.status.plugin);
      for (const n of all) d.statuses.set(n.name, pre.status);
      return d;
    }
    // A pod nominated by an earlier preemption tries its node first.
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = fw.nodeInfo(nominated);
      if (ni && (!pre.nodeNames || pre.nodeNames.has(nominated)) && fw.runFilterWithNominatedPods(state, pod, ni).isSuccess()) {
        d.node = nominated;
        d.feasible = 1;
        return d;
      }
    }
    const candidates = pre.nodeNames ? all.filter((n) => pre.nodeNames!.has(n.name)) : all;
    for (const n of all) if (pre.nodeNames && !pre.nodeNames.has(n.name)) d.statuses.set(n.name, preFilterNarrowed);
    const want = numFeasibleNodesToFind(fw.percentageOfNodesToScore ?? this.percentageOfNodesToScore(), candidates.length);
    const feasible: NodeInfo[] = [];
    const n = candidates.length;
    const start = this.nextStart % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = candidates[(start + processed) % n];
      const st = fw.runFilterWithNominatedPods(state, pod, node);
      if (st.isSuccess()) feasible.push(node);
      else {
        d.statuses.set(node.name, st);
        if (st.plugin) d.rejectors.add(st.plugin);
      }
    }
    this.nextStart = (start + processed) % n;
    d.feasible = feasible.length;
    if (feasible.length === 0) return d;
    if (feasible.length === 1) { d.node = feasible[0].name; return d; }
    const ps = fw.runPreScore(state, pod, feasible);
    if (!ps.isSuccess()) throw new Error(`running PreScore plugin ${ps.plugin}: ${ps.message()}`);
    const { totals, perPlugin } = fw.runScore(state, pod, feasible);
    d.scored = feasible;
    d.totals = totals;
    d.perPlugin = perPlugin;
    d.node = feasible[selectHost(totals)].name;
    return d;
  }
}

const preFilterNarrowed = new Status(Code.UnschedulableAndUnresolvable, ["node(s) didn't satisfy plugin(s) [PreFilter]"]);

/** Index of the highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
export function selectHost(totals: ArrayLike<number>): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) { best = i; ties = 1; } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return best;
}
