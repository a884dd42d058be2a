// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import type { EnqueueExtensions, FilterPlugin, Handle } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SUCCESS, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { tolerates } from '../../util/tolerations.js';

export const Name = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
export const ErrReasonUnknownCondition = 'node(s) had unknown conditions';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function New(_args: unknown, _h: Handle) {
  return {
    name: Name,
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      if (!node.node) return unresolvable(ErrReasonUnknownCondition);
      if (!node.node.spec?.unschedulable) return SUCCESS;
      const ok = (pod.pod.spec?.tolerations ?? []).some((t) => tolerates(t, unschedulableTaint));
      return ok ? SUCCESS : unresolvable(ErrReasonUnschedulable);
    },
    eventsToRegister: () => [clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeUnschedulable'), clusterEvent('Node', 'UpdateNodeTaint')],
  } satisfies FilterPlugin & EnqueueExtensions;
}
