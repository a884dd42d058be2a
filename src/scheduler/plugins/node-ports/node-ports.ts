// NodePorts: a pod's hostPorts must be free on the node (same protocol and port, and the
// same IP or either side on 0.0.0.0, is a conflict).
import type { EnqueueExtensions, FilterPlugin, Handle } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { HostPort, PodInfo } from '../../framework/pod-info.js';
import { SUCCESS, unschedulable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';

export const Name = 'NodePorts';
export const ErrReason = "node(s) didn't have free ports for the requested pod ports";

const ANY = '0.0.0.0';
export function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === ANY || b.ip === ANY);
}

export function New(_args: unknown, _h: Handle) {
  return {
    name: Name,
    filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
      for (const want of pod.hostPorts) {
        if (node.usedPorts.some((used) => portsConflict(want, used))) return unschedulable(ErrReason);
      }
      return SUCCESS;
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Delete'), clusterEvent('Node', 'Add')],
  } satisfies FilterPlugin & EnqueueExtensions;
}
