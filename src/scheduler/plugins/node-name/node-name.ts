// NodeName: a pod that names a node in spec.nodeName fits only there.
import type { EnqueueExtensions, FilterPlugin, Handle } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SUCCESS, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';

export const Name = 'NodeName';
export const ErrReason = "node(s) didn't match the requested node name";

export function New(_args: unknown, _h: Handle) {
  return {
    name: Name,
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      const want = pod.pod.spec?.nodeName;
      return !want || want === node.name ? SUCCESS : unresolvable(ErrReason);
    },
    eventsToRegister: () => [clusterEvent('Node', 'Add'), clusterEvent('Node', 'Update')],
  } satisfies FilterPlugin & EnqueueExtensions;
}
