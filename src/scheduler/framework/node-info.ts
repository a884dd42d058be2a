// One node as the scheduler sees it: the Node object, the pods on it (bound and assumed),
// and running totals kept in step as pods come and go, so Filter reads them in O(1).
import type { Node } from 'kubernetes-types/core/v1.js';
import { Resource } from './resource.js';
import type { HostPort, PodInfo } from './pod-info.js';

export class NodeInfo {
  node: Node | undefined;
  readonly pods: PodInfo[] = [];
  readonly requested = new Resource();
  readonly nonZeroRequested = new Resource();
  allocatable = new Resource();
  readonly usedPorts: HostPort[] = [];
  /** Pods with any (anti-)affinity, and those with required anti-affinity, for InterPodAffinity. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** image name -> size, from node.status.images. */
  readonly images = new Map<string, number>();
  /**
   * The node's pods by namespace, label key and value, so counting the pods a selector picks
   * (PodTopologySpread, per node and cycle) looks at the pods carrying one of its labels
   * rather than matching every pod on the node: 200 pods per node × 50 nodes per decision was
   * over half of the scheduler's CPU with upstream's default spreading.
   */
  private readonly byLabel = new Map<string, PodInfo[]>();
  /** Each pod's index in `pods`: a pod's update (remove, then add) is O(1), not a scan of the node's pods. */
  private readonly index = new Map<string, number>();
  /** Bumped on every change; lets callers cache per-node results. */
  generation = 0;

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  /** The node's name (kept as a field: Filter and Score read it for every node of every cycle). */
  name = '';
  get labels(): Record<string, string> { return this.node?.metadata?.labels ?? {}; }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.allocatable = Resource.fromList(node.status?.allocatable as Record<string, string> | undefined);
    this.images.clear();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) this.images.set(normalizedImageName(n), img.sizeBytes ?? 0);
    }
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    this.index.set(pi.key, this.pods.length);
    this.pods.push(pi);
    const labels = pi.pod.metadata?.labels;
    if (labels) {
      for (const k in labels) {
        const lk = labelKey(pi.namespace, k, labels[k]);
        const list = this.byLabel.get(lk);
        if (list) list.push(pi); else this.byLabel.set(lk, [pi]);
      }
    }
    this.account(pi, 1);
  }

  /** Pods on the node in namespace `ns` whose label `key` is `value` (do not modify). */
  podsWithLabel(ns: string, key: string, value: string): readonly PodInfo[] {
    return this.byLabel.get(labelKey(ns, key, value)) ?? NONE;
  }

  /** podsWithLabel by a key made once with `labelKey` (a cycle asks every node for the same one). */
  podsWithLabelKey(lk: string): readonly PodInfo[] {
    return this.byLabel.get(lk) ?? NONE;
  }

  /** Removes by key (the last pod takes its place, as upstream's RemovePod); returns false when the pod was not here. */
  removePod(key: string): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    const pi = this.pods[i];
    const last = this.pods.pop()!;
    this.index.delete(key);
    if (last !== pi) { this.pods[i] = last; this.index.set(last.key, i); }
    const labels = pi.pod.metadata?.labels;
    if (labels) {
      for (const k in labels) {
        const lk = labelKey(pi.namespace, k, labels[k]);
        const list = this.byLabel.get(lk);
        const j = list ? list.indexOf(pi) : -1;
        if (j >= 0) { list!.splice(j, 1); if (!list!.length) this.byLabel.delete(lk); }
      }
    }
    this.account(pi, -1);
    return true;
  }

  private account(pi: PodInfo, sign: 1 | -1): void {
    this.requested.add(pi.requests, sign);
    this.nonZeroRequested.add(pi.nonZeroRequests, sign);
    if (sign > 0) this.usedPorts.push(...pi.hostPorts);
    else for (const hp of pi.hostPorts) {
      const i = this.usedPorts.findIndex((u) => u.ip === hp.ip && u.port === hp.port && u.protocol === hp.protocol);
      if (i >= 0) this.usedPorts.splice(i, 1);
    }
    if (pi.hasAffinity()) this.podsWithAffinity += sign;
    if (pi.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity += sign;
    this.generation++;
  }

  /** A copy whose pod list and totals can be changed without touching this one (preemption, nominated pods). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.name = this.name;
    c.allocatable = this.allocatable;
    for (const [k, v] of this.images) c.images.set(k, v);
    for (const p of this.pods) c.addPod(p);
    c.generation = this.generation;
    return c;
  }
}

/** "busybox" and "docker.io/library/busybox" both mean "busybox:latest" for image locality. */
export function normalizedImageName(name: string): string {
  let n = name;
  if (n.lastIndexOf(':') <= n.lastIndexOf('/') && !n.includes('@')) n += ':latest';
  return n.replace(/^docker\.io\/(library\/)?/, '');
}

const NONE: readonly PodInfo[] = [];
export const labelKey = (ns: string, key: string, value: string): string => `${ns}\u0000${key}\u0000${value}`;
