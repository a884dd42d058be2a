// Cluster changes that can make an unschedulable pod schedulable. Each plugin says which
// ones matter to it; the queue moves a pod back only on events its rejecting plugins named.

export type EventResource = 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'Namespace' | 'PodDisruptionBudget' | 'PriorityClass' | 'Service'
  | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'CSINode';
export type EventAction = 'Add' | 'Delete' | 'Update'
  | 'UpdateNodeLabel' | 'UpdateNodeTaint' | 'UpdateNodeAllocatable' | 'UpdateNodeUnschedulable' | 'UpdatePodLabel';

export interface ClusterEvent {
  resource: EventResource;
  /** 'Update' registered by a plugin means any update. */
  action: EventAction;
  /** Upstream's label for logs and scheduler_queue_incoming_pods_total ("NodeAdd", "AssignedPodDelete"). */
  label: string;
}

/** Upstream's event labels (framework/events.go); others read RESOURCE+ACTION. */
const LABELS: Record<string, string> = {
  'Node/Add': 'NodeAdd', 'Node/Delete': 'NodeDelete', 'Node/UpdateNodeLabel': 'NodeLabelChange', 'Node/UpdateNodeTaint': 'NodeTaintChange',
  'Node/UpdateNodeAllocatable': 'NodeAllocatableChange', 'Node/UpdateNodeUnschedulable': 'NodeSpecUnschedulableChange',
  'AssignedPod/Add': 'AssignedPodAdd', 'AssignedPod/Update': 'AssignedPodUpdate', 'AssignedPod/UpdatePodLabel': 'AssignedPodUpdate', 'AssignedPod/Delete': 'AssignedPodDelete',
  'PersistentVolume/Add': 'PvAdd', 'PersistentVolume/Update': 'PvUpdate', 'PersistentVolumeClaim/Add': 'PvcAdd', 'PersistentVolumeClaim/Update': 'PvcUpdate',
  'StorageClass/Add': 'StorageClassAdd', 'StorageClass/Update': 'StorageClassUpdate', 'CSINode/Add': 'CSINodeAdd', 'CSINode/Update': 'CSINodeUpdate',
};

export const clusterEvent = (resource: EventResource, action: EventAction): ClusterEvent => ({ resource, action, label: LABELS[`${resource}/${action}`] ?? `${resource}${action}` });

/** True when a registered event (resource + action, 'Update' meaning any update) covers the one that happened. */
export function eventMatches(registered: ClusterEvent, happened: ClusterEvent): boolean {
  if (registered.resource !== happened.resource) return false;
  if (registered.action === happened.action) return true;
  return registered.action === 'Update' && happened.action.startsWith('Update');
}

/** Every event; what a pod rejected by an unknown reason waits for. */
export const WILDCARD_EVENTS: ClusterEvent[] = [
  clusterEvent('Node', 'Add'), clusterEvent('Node', 'Update'), clusterEvent('Node', 'Delete'),
  clusterEvent('AssignedPod', 'Add'), clusterEvent('AssignedPod', 'Update'), clusterEvent('AssignedPod', 'Delete'),
];
