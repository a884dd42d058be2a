// Pods nominated to a node by preemption (status.nominatedNodeName), by node, so filters
// can count them as if they were already there.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodInfo, podKey } from '../framework/pod-info.js';

const NONE: readonly PodInfo[] = Object.freeze([]);

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Records (or clears, with '' / undefined) a pod's nomination. */
  set(pod: Pod, nodeName: string | undefined): void {
    const key = podKey(pod);
    this.delete(key);
    if (!nodeName) return;
    let m = this.byNode.get(nodeName);
    if (!m) this.byNode.set(nodeName, m = new Map());
    m.set(key, new PodInfo(pod));
    this.nodeOf.set(key, nodeName);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m && m.size === 0) this.byNode.delete(node);
  }

  /** Called for every node a pod is filtered against: no copy when nothing is nominated. */
  forNode(nodeName: string): readonly PodInfo[] {
    if (this.byNode.size === 0) return NONE;
    const m = this.byNode.get(nodeName);
    return m ? [...m.values()] : NONE;
  }

  nodeFor(key: string): string | undefined { return this.nodeOf.get(key); }
}
