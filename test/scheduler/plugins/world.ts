// In-memory cluster for plugin unit tests: a real SchedulerCache and Framework with the
// in-tree registry; nodes and pods are plain objects.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../../../src/scheduler/cache/scheduler-cache.js';
import { Framework, type FrameworkDeps } from '../../../src/scheduler/framework/framework.js';
import { inTreeRegistry } from '../../../src/scheduler/framework/registry.js';
import { PodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Nominator } from '../../../src/scheduler/queue/nominator.js';
import { Scheduler1 } from '../../../src/scheduler/schedule-one.js';
import type { Profile } from '../../../src/scheduler/config/types.js';

export function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: any[]; unschedulable?: boolean; images?: any[]; extra?: Record<string, string> } = {}): Node {
  const cap = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi', ...(o.extra ?? {}) };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: cap, capacity: cap, images: o.images },
  };
}

let seq = 0;
export function pod(name: string, o: { ns?: string; cpu?: string; memory?: string; labels?: Record<string, string>; node?: string; priority?: number; spec?: Record<string, any>; ports?: any[] } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels, uid: `uid-${name}-${seq++}`, creationTimestamp: new Date(Date.now() + seq).toISOString() },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ports: o.ports, resources: Object.keys(requests).length ? { requests } : undefined }],
      nodeName: o.node, priority: o.priority ?? 0, ...(o.spec ?? {}),
    },
  };
}

export class World {
  readonly cache = new SchedulerCache();
  readonly nominator = new Nominator();
  readonly deleted: Pod[] = [];
  readonly nominations: Array<[string, string]> = [];
  readonly fw: Framework;
  readonly alg: Scheduler1;
  services: any[] = [];
  replicaSets: any[] = [];
  pdbs: any[] = [];
  pvcs: any[] = [];
  pvs: any[] = [];
  classes: any[] = [];
  csiNodes: any[] = [];
  namespaces = new Map<string, Record<string, string>>();

  constructor(profile: Profile = { schedulerName: 'default-scheduler' }, nodes: Node[] = [], pods: Pod[] = []) {
    const deps: FrameworkDeps = {
      nodeInfos: () => this.cache.nodeInfos(),
      nodeInfo: (n) => this.cache.nodeInfo(n),
      nodesWithImage: (i) => this.cache.nodesWithImage(i),
      nodesWithAffinityPods: () => this.cache.nodesWithAffinityPods(),
      nodesWithRequiredAntiAffinityPods: () => this.cache.nodesWithRequiredAntiAffinityPods(),
      namespaceLabels: (ns) => this.namespaces.get(ns),
      listers: {
        pdbs: () => this.pdbs, services: (ns) => this.services.filter((s) => s.metadata.namespace === ns), replicaSets: (ns) => this.replicaSets.filter((r) => r.metadata.namespace === ns), statefulSets: () => [], namespace: () => undefined,
        pod: () => undefined,
        pvc: (ns, n) => this.pvcs.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
        pv: (n) => this.pvs.find((v) => v.metadata.name === n), pvs: () => this.pvs,
        storageClass: (n) => this.classes.find((c) => c.metadata.name === n),
        csiNode: (n) => this.csiNodes.find((c) => c.metadata.name === n),
      },
      isPVCUsedByPods: (k) => this.cache.isPVCUsedByPods(k),
      client: {
        bind: async () => {},
        deletePod: async (p) => { this.deleted.push(p); this.cache.removePod(`${p.metadata!.namespace}/${p.metadata!.name}`); },
        setNominatedNode: async (p, n) => { this.nominations.push([p.metadata!.name!, n]); },
        updatePV: async (pv) => pv,
        updatePVC: async (pvc) => pvc,
      },
      nominatedPodsForNode: (n) => this.nominator.forNode(n),
      event: () => {},
    };
    this.fw = new Framework(profile, inTreeRegistry(), deps);
    this.alg = new Scheduler1(() => this.cache.nodeInfos(), () => undefined);
    nodes.forEach((n) => this.cache.addNode(n));
    pods.forEach((p) => this.cache.addOrUpdatePod(p));
  }

  /** Schedules and assumes, like the scheduler does; returns the node or undefined. */
  schedule(p: Pod) {
    const pi = new PodInfo(p);
    const d = this.alg.schedule(this.fw, pi);
    if (d.node) this.cache.assume(new PodInfo({ ...p, spec: { ...p.spec!, nodeName: d.node } }), d.node);
    return d;
  }

  /** Runs one plugin's Filter (after the profile's PreFilter) on one node. */
  filter(p: Pod, nodeName: string) {
    const pi = new PodInfo(p);
    const state = new CycleState();
    const pre = this.fw.runPreFilter(state, pi, this.cache.nodeInfos());
    if (!pre.status.isSuccess()) return pre.status;
    return this.fw.runFilterPlugins(state, pi, this.cache.nodeInfo(nodeName)!);
  }

  /** Normalized per-plugin scores for every node (all assumed feasible). */
  scores(p: Pod): Map<string, Map<string, number>> {
    const pi = new PodInfo(p);
    const state = new CycleState();
    const nodes = this.cache.nodeInfos();
    this.fw.runPreFilter(state, pi, nodes);
    this.fw.runPreScore(state, pi, nodes);
    const { perPlugin } = this.fw.runScore(state, pi, nodes);
    return new Map(perPlugin.map((pp) => [pp.plugin, new Map(nodes.map((n, i) => [n.name, pp.scores[i]]))]));
  }
}
