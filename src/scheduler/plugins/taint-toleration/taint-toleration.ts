// TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SUCCESS, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { findUntoleratedTaint, tolerates } from '../../util/tolerations.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';

export const Name = 'TaintToleration';
export const errReasonUntoleratedTaint = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
const preScoreKey = `PreScore${Name}`;

class PreScoreState implements StateData {
  constructor(readonly preferTolerations: Toleration[]) {}
  clone(): StateData { return this; }
}

export function New(_args: unknown, _h: Handle) {
  return {
    name: Name,
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      const taint = findUntoleratedTaint(node.node?.spec?.taints, pod.pod.spec?.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
      return taint ? unresolvable(errReasonUntoleratedTaint(taint)) : SUCCESS;
    },
    preScore(state: CycleState, pod: PodInfo): Status {
      const prefer = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(preScoreKey, new PreScoreState(prefer));
      return SUCCESS;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const tols = state.read<PreScoreState>(preScoreKey)?.preferTolerations ?? [];
      let n = 0;
      for (const taint of node.node?.spec?.taints ?? []) {
        if (taint.effect === 'PreferNoSchedule' && !tols.some((t) => tolerates(t, taint))) n++;
      }
      return n;
    },
    normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): void {
      defaultNormalizeScore(scores, true);
    },
    eventsToRegister: () => [clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeTaint')],
  } satisfies FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;
}
