// NodeAffinity: Filter enforces spec.nodeSelector and required node affinity (plus the
// profile's addedAffinity); Score adds the weights of the preferred terms a node matches.
import type { NodeAffinity, NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { nodeSelectorMatches, podMatchesNodeSelectorAndAffinity, termMatches } from '../../util/node-selector.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";
export const ErrReasonConflict = 'pod affinity terms conflict';

export interface NodeAffinityArgs { addedAffinity?: NodeAffinity }

const preScoreKey = `PreScore${Name}`;
class PreferredState implements StateData {
  constructor(readonly terms: PreferredSchedulingTerm[]) {}
  clone(): StateData { return this; }
}

/** Node names a term set pins with `matchFields: metadata.name In [...]`, if every term does. */
function pinnedNames(terms: NodeSelectorTerm[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((m) => m.key === 'metadata.name' && m.operator === 'In');
    if (!f) return undefined;
    let vals = new Set(f.values ?? []);
    for (const other of (t.matchFields ?? []).filter((m) => m !== f && m.key === 'metadata.name' && m.operator === 'In')) {
      vals = new Set([...vals].filter((v) => other.values?.includes(v)));
    }
    vals.forEach((v) => names.add(v));
  }
  return names;
}

export function New(args: NodeAffinityArgs | undefined, _h: Handle) {
  const added = args?.addedAffinity;
  return {
    name: Name,
    preFilter(_s: CycleState, pod: PodInfo): { status: Status; result?: { nodeNames?: Set<string> } } {
      const spec = pod.pod.spec;
      const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (!req && !spec?.nodeSelector && !added?.requiredDuringSchedulingIgnoredDuringExecution) return { status: SKIP };
      if (!req) return { status: SUCCESS };
      const names = pinnedNames(req.nodeSelectorTerms);
      if (names && names.size === 0) return { status: unresolvable(ErrReasonConflict) };
      return { status: SUCCESS, result: names ? { nodeNames: names } : undefined };
    },
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      if (!node.node) return unresolvable(ErrReasonPod);
      const enforced = added?.requiredDuringSchedulingIgnoredDuringExecution;
      if (enforced && !nodeSelectorMatches(enforced, node.node)) return unresolvable(ErrReasonEnforced);
      return podMatchesNodeSelectorAndAffinity(pod.pod.spec, node.node) ? SUCCESS : unresolvable(ErrReasonPod);
    },
    preScore(state: CycleState, pod: PodInfo): Status {
      const terms = [...(added?.preferredDuringSchedulingIgnoredDuringExecution ?? []), ...(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])];
      if (terms.length === 0) return SKIP;
      state.write(preScoreKey, new PreferredState(terms));
      return SUCCESS;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const terms = state.read<PreferredState>(preScoreKey)?.terms ?? [];
      let sum = 0;
      for (const t of terms) if (t.weight !== 0 && node.node && termMatches(t.preference, node.node)) sum += t.weight;
      return sum;
    },
    normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): void {
      defaultNormalizeScore(scores, false);
    },
    eventsToRegister: () => [clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeLabel')],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}
