// Topology spread constraints with their selectors parsed: the pod's own, or the profile's
// defaults (system defaults: hostname skew 3, zone skew 5, ScheduleAnyway) for pods that a
// Service, ReplicaSet or StatefulSet selects.
import type { Pod, Taint, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { LabelSelector, newRequirement, type Requirement } from '../../../api/selectors/index.js';
import type { Handle } from '../../framework/interfaces.js';
import { labelKey, type NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { podMatchesNodeSelectorAndAffinity } from '../../util/node-selector.js';
import { findUntoleratedTaint } from '../../util/tolerations.js';
import { selectorFromSpec } from '../../util/selector-cache.js';

export const HOSTNAME = 'kubernetes.io/hostname';
export const ZONE = 'topology.kubernetes.io/zone';

export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' },
];

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

export function parseConstraint(c: TopologySpreadConstraint, pod: Pod, selector?: LabelSelector): Constraint {
  let sel = selector ?? selectorFromSpec(c.labelSelector);
  const labels = pod.metadata?.labels ?? {};
  const extra: Requirement[] = [];
  for (const k of c.matchLabelKeys ?? []) if (labels[k] !== undefined) extra.push(newRequirement(k, 'in', [labels[k]]));
  if (extra.length) sel = LabelSelector.of([...sel.requirements, ...extra]);
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: sel,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

/** The pod's constraints with the given whenUnsatisfiable, or the defaults when it has none at all. */
export function podConstraints(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway', defaults: TopologySpreadConstraint[], h: Handle): Constraint[] {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  if (own.length) return own.filter((c) => c.whenUnsatisfiable === when).map((c) => parseConstraint(c, pod));
  const wanted = defaults.filter((c) => c.whenUnsatisfiable === when);
  if (!wanted.length) return [];
  const sel = defaultSelector(pod, h);
  if (!sel) return [];
  return wanted.map((c) => parseConstraint(c, pod, sel));
}

/** Union of the selectors of the Services, ReplicaSets and StatefulSets that select the pod (upstream's DefaultSelector). */
export function defaultSelector(pod: Pod, h: Handle): LabelSelector | undefined {
  const ns = pod.metadata?.namespace ?? 'default';
  const labels = pod.metadata?.labels ?? {};
  const reqs: Requirement[] = [];
  for (const svc of h.listers.services(ns)) {
    const s = svc.spec?.selector;
    if (!s || !Object.keys(s).length) continue;
    if (!Object.entries(s).every(([k, v]) => labels[k] === v)) continue;
    for (const [k, v] of Object.entries(s)) reqs.push(newRequirement(k, '=', [v]));
  }
  for (const set of [...h.listers.replicaSets(ns, labels), ...h.listers.statefulSets(ns, labels)]) {
    try {
      const sel = selectorFromSpec(set.spec?.selector);
      if (sel.isEmpty() || !sel.matches(labels)) continue;
      reqs.push(...sel.requirements);
    } catch { /* invalid selector: ignore */ }
  }
  if (!reqs.length) return undefined;
  // Drop exact duplicates so the selector stays valid and small.
  const seen = new Set<string>();
  const uniq = reqs.filter((r) => { const k = `${r.key}\0${r.operator}\0${r.values.join(',')}`; return !seen.has(k) && !!seen.add(k); });
  return LabelSelector.of(uniq);
}

/** Whether a node takes part in a constraint's counting (policies, and all keys present). */
export function nodeCounts(c: Constraint, pod: Pod, node: NodeInfo, allKeys: string[]): boolean {
  if (!node.node) return false;
  const labels = node.labels;
  if (!allKeys.every((k) => labels[k] !== undefined)) return false;
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod.spec, node.node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return false;
  return true;
}

/**
 * The node label-index keys of a selector's one-value requirements in `ns`, made once per
 * selector (a cycle asks every node with the same selector; building and hashing the key
 * string per node was most of the counting's cost).
 */
const exactKeysCache = new WeakMap<LabelSelector, { ns: string; keys: string[] }>();
function exactKeys(sel: LabelSelector, ns: string): string[] {
  const hit = exactKeysCache.get(sel);
  if (hit && hit.ns === ns) return hit.keys;
  const keys: string[] = [];
  for (const r of sel.requirements) {
    if ((r.operator === 'in' || r.operator === '=' || r.operator === '==') && r.values.length === 1) keys.push(labelKey(ns, r.key, r.values[0]));
  }
  exactKeysCache.set(sel, { ns, keys });
  return keys;
}

/** Pods on the node in the pod's namespace, not terminating, selected by the constraint. */
export function countMatching(c: Constraint, ns: string, node: NodeInfo): number {
  // A requirement of one exact value narrows the pods to those carrying that label (the
  // node's label index, already in `ns`); the smallest such set is checked in full.
  let pods: readonly PodInfo[] | undefined;
  for (const k of exactKeys(c.selector, ns)) {
    const withLabel = node.podsWithLabelKey(k);
    if (!pods || withLabel.length < pods.length) pods = withLabel;
    if (!pods.length) return 0;
  }
  let n = 0;
  for (const p of pods ?? node.pods) {
    if (p.namespace !== ns || p.pod.metadata?.deletionTimestamp) continue;
    if (c.selector.matches(p.pod.metadata?.labels)) n++;
  }
  return n;
}

/**
 * countMatching remembered per selector and node for one scheduling cycle. The default
 * constraints (hostname and zone) share one selector, so PreScore's zone counts and Score's
 * hostname counts would otherwise match every pod on every node twice: at 200 pods per node
 * and 50 nodes, 20,000 selector matches per pod, most of the scheduler's CPU.
 */
export class MatchCounter {
  private readonly bySelector = new Map<LabelSelector, Map<NodeInfo, number>>();
  constructor(private readonly ns: string) {}

  count(c: Constraint, node: NodeInfo): number {
    let m = this.bySelector.get(c.selector);
    if (!m) this.bySelector.set(c.selector, m = new Map());
    let n = m.get(node);
    if (n === undefined) m.set(node, n = countMatching(c, this.ns, node));
    return n;
  }
}
