// PrioritySort: the queue's order — higher priority first, then the pod that entered the
// queue earlier.
import type { Plugin } from '../../framework/interfaces.js';

export const Name = 'PrioritySort';

export interface QueuedPodOrder { priority: number; timestamp: number }

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodOrder, b: QueuedPodOrder): boolean;
}

export function New() {
  return {
    name: Name,
    less: (a: QueuedPodOrder, b: QueuedPodOrder) => a.priority > b.priority || (a.priority === b.priority && a.timestamp < b.timestamp),
  } satisfies QueueSortPlugin;
}
