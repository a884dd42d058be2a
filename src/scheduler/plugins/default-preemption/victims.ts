// Choosing victims on one node: remove every lower-priority pod, check the preemptor fits,
// then give back as many as possible, most important first and PDB-protected pods before
// others, so the fewest and least important pods are evicted.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Handle } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { selectorFromSpec } from '../../util/selector-cache.js';

export interface Candidate { node: string; victims: PodInfo[]; numPDBViolations: number }

const startTime = (p: PodInfo): number => Date.parse(p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp ?? '') || 0;

/** Higher priority first, then the pod that started earlier (upstream MoreImportantPod). */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

/** Splits pods into those whose eviction would break a PDB and those it would not. */
export function splitByPDB(pods: PodInfo[], pdbs: PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pod of pods) {
    let breaks = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata?.namespace !== pod.namespace) return;
      let sel;
      try { sel = selectorFromSpec(pdb.spec?.selector); } catch { return; }
      if (sel.isEmpty() || !sel.matches(pod.pod.metadata?.labels)) return;
      if (pdb.status?.disruptedPods?.[pod.name]) return;
      allowed[i]--;
      if (allowed[i] < 0) breaks = true;
    });
    (breaks ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

export function selectVictimsOnNode(h: Handle & { runFilterWithNominatedPods?(s: CycleState, p: PodInfo, n: NodeInfo): ReturnType<Handle['runFilterPlugins']> },
  state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: PodDisruptionBudget[]): Candidate | undefined {
  const filter = (s: CycleState, n: NodeInfo) => (h.runFilterWithNominatedPods ?? h.runFilterPlugins).call(h, s, pod, n);
  const lower = node.pods.filter((p) => p.priority < pod.priority).sort(moreImportant);
  for (const v of lower) {
    node.removePod(v.key);
    h.runPreFilterRemovePod(state, pod, v, node);
  }
  if (!filter(state, node).isSuccess()) return undefined;
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  const { violating, nonViolating } = splitByPDB(lower, pdbs);
  const reprieve = (v: PodInfo, isViolating: boolean) => {
    node.addPod(v);
    h.runPreFilterAddPod(state, pod, v, node);
    if (!filter(state, node).isSuccess()) {
      node.removePod(v.key);
      h.runPreFilterRemovePod(state, pod, v, node);
      victims.push(v);
      if (isViolating) numPDBViolations++;
    }
  };
  violating.forEach((v) => reprieve(v, true));
  nonViolating.forEach((v) => reprieve(v, false));
  victims.sort(moreImportant);
  return { node: node.name, victims, numPDBViolations };
}

/** upstream pickOneNodeForPreemption's criteria, in order. */
export function pickCandidate(cands: Candidate[]): Candidate | undefined {
  if (cands.length === 0) return undefined;
  const none = cands.find((c) => c.victims.length === 0);
  if (none) return none;
  const narrow = (list: Candidate[], key: (c: Candidate) => number): Candidate[] => {
    const best = Math.min(...list.map(key));
    return list.filter((c) => key(c) === best);
  };
  let list = narrow(cands, (c) => c.numPDBViolations);
  list = narrow(list, (c) => c.victims[0].priority);
  list = narrow(list, (c) => c.victims.reduce((a, v) => a + v.priority + 2 ** 31, 0));
  list = narrow(list, (c) => c.victims.length);
  // Latest start among the highest-priority victims: disturb the pods that ran least.
  list = narrow(list, (c) => {
    const top = c.victims[0].priority;
    const earliest = Math.min(...c.victims.filter((v) => v.priority === top).map(startTime));
    return -earliest;
  });
  return list[0];
}
