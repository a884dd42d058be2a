// Which scheduling-relevant parts of a Node changed (heartbeats alone change nothing here).
import type { Node } from 'kubernetes-types/core/v1.js';
import { clusterEvent, type ClusterEvent } from './framework/cluster-event.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function nodeUpdateEvents(old: Node, cur: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(old.metadata?.labels, cur.metadata?.labels)) out.push(clusterEvent('Node', 'UpdateNodeLabel'));
  if (!same(old.spec?.taints, cur.spec?.taints)) out.push(clusterEvent('Node', 'UpdateNodeTaint'));
  if (!same(old.status?.allocatable, cur.status?.allocatable)) out.push(clusterEvent('Node', 'UpdateNodeAllocatable'));
  if (!!old.spec?.unschedulable !== !!cur.spec?.unschedulable) out.push(clusterEvent('Node', 'UpdateNodeUnschedulable'));
  return out;
}
