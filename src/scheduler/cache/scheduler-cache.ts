// The scheduler's view of the cluster: every node with the pods on it. Pods the scheduler
// has decided on but not yet seen bound ("assumed") are counted at once, so decisions made
// while bindings are in flight never overcommit a node; the informer's bound copy then
// confirms them, or a failed binding forgets them.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from '../framework/node-info.js';
import { PodInfo, podKey } from '../framework/pod-info.js';

interface CachedPod { info: PodInfo; node: string; assumed: boolean }

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, CachedPod>();
  private list: NodeInfo[] | undefined;
  /** image -> number of nodes holding it (ImageLocality's spread). */
  private readonly imageNodes = new Map<string, number>();
  /** NS/CLAIM -> how many cached pods use that PersistentVolumeClaim (VolumeRestrictions). */
  private readonly pvcRefs = new Map<string, number>();

  /** Nodes that exist (have a Node object), in insertion order. */
  nodeInfos(): NodeInfo[] {
    this.list ??= [...this.nodes.values()].filter((n) => n.node);
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  get nodeCount(): number { return this.nodeInfos().length; }
  get podCount(): number { return this.pods.size; }

  private slot(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) { this.nodes.set(name, n = new NodeInfo()); this.list = undefined; }
    return n;
  }

  addNode(node: Node): void {
    const n = this.slot(node.metadata!.name!);
    const wasKnown = !!n.node;
    this.countImages(n, -1);
    n.setNode(node);
    this.countImages(n, 1);
    if (!wasKnown) this.list = undefined;
  }

  updateNode(node: Node): void { this.addNode(node); }

  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    this.countImages(n, -1);
    n.images.clear();
    // Pods still listed keep a placeholder until they are deleted too.
    if (n.pods.length) n.node = undefined; else this.nodes.delete(name);
    this.list = undefined;
  }

  private countImages(n: NodeInfo, sign: 1 | -1): void {
    for (const img of n.images.keys()) {
      const v = (this.imageNodes.get(img) ?? 0) + sign;
      if (v > 0) this.imageNodes.set(img, v); else this.imageNodes.delete(img);
    }
  }

  nodesWithImage(image: string): number { return this.imageNodes.get(image) ?? 0; }

  /** Nodes with pods that have (anti-)affinity terms, and with required anti-affinity (upstream's snapshot lists). */
  nodesWithAffinityPods(): NodeInfo[] { return [...this.affinityNodes].filter((n) => n.node); }
  nodesWithRequiredAntiAffinityPods(): NodeInfo[] { return [...this.antiAffinityNodes].filter((n) => n.node); }

  private readonly affinityNodes = new Set<NodeInfo>();
  private readonly antiAffinityNodes = new Set<NodeInfo>();

  /** Keeps the affinity node sets in step after a pod was added to or removed from `n`. */
  private touched(n: NodeInfo): void {
    if (n.podsWithAffinity > 0) this.affinityNodes.add(n); else this.affinityNodes.delete(n);
    if (n.podsWithRequiredAntiAffinity > 0) this.antiAffinityNodes.add(n); else this.antiAffinityNodes.delete(n);
  }

  isPVCUsedByPods(key: string): boolean { return (this.pvcRefs.get(key) ?? 0) > 0; }

  private countClaims(info: PodInfo, sign: 1 | -1): void {
    for (const v of info.pod.spec?.volumes ?? []) {
      if (!v.persistentVolumeClaim) continue;
      const k = `${info.namespace}/${v.persistentVolumeClaim.claimName}`;
      const n = (this.pvcRefs.get(k) ?? 0) + sign;
      if (n > 0) this.pvcRefs.set(k, n); else this.pvcRefs.delete(k);
    }
  }

  /** Counts a pod on a node before its binding is seen. */
  assume(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.key)) throw new Error(`pod ${info.key} is already in the cache`);
    const n = this.slot(nodeName);
    n.addPod(info);
    this.touched(n);
    this.countClaims(info, 1);
    this.pods.set(info.key, { info, node: nodeName, assumed: true });
  }

  /** Undoes assume after a failed binding. */
  forget(key: string): void {
    const c = this.pods.get(key);
    if (!c || !c.assumed) return;
    this.remove(key);
  }

  isAssumed(key: string): boolean { return this.pods.get(key)?.assumed ?? false; }

  /** A bound pod from the informer (add or update); replaces an assumed copy. */
  addOrUpdatePod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    if (isTerminal(pod)) { this.removePod(key); return; }
    const cur = this.pods.get(key);
    if (cur) this.remove(key);
    const info = new PodInfo(pod);
    const n = this.slot(nodeName);
    n.addPod(info);
    this.touched(n);
    this.countClaims(info, 1);
    this.pods.set(key, { info, node: nodeName, assumed: false });
  }

  removePod(key: string): void {
    if (this.pods.has(key)) this.remove(key);
  }

  private remove(key: string): void {
    const c = this.pods.get(key)!;
    this.pods.delete(key);
    this.countClaims(c.info, -1);
    const n = this.nodes.get(c.node);
    if (!n) return;
    n.removePod(key);
    this.touched(n);
    if (!n.node && n.pods.length === 0) { this.nodes.delete(c.node); this.list = undefined; }
  }

  podNode(key: string): string | undefined { return this.pods.get(key)?.node; }
}

/** Succeeded and failed pods no longer hold resources. */
export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
