// The extension points (upstream framework/interface.go), one interface each. A plugin
// implements the ones it needs and says so with `satisfies FilterPlugin & ScorePlugin`.
import type { Pod, Node, Namespace, PersistentVolume, PersistentVolumeClaim, Service } from 'kubernetes-types/core/v1.js';
import type { CSINode, StorageClass } from 'kubernetes-types/storage/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Status } from './status.js';
import type { ClusterEvent } from './cluster-event.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** Nodes a PreFilter narrowed the search to; undefined means all nodes. */
export interface PreFilterResult { nodeNames?: Set<string> }

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { status: Status; result?: PreFilterResult };
  /** Incremental updates to PreFilter state when preemption adds/removes pods on a node. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PostFilterResult { nominatedNodeName?: string }

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ status: Status; result?: PostFilterResult }>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status;
}

export interface NodeScore { name: string; score: number }

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Scales raw scores into [0, 100] in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Success, Unschedulable, or Wait with a timeout (the pod is bound when allowed). */
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutMs?: number };
}

/** Work before binding, after the decision (e.g. binding a pod's PersistentVolumeClaims). */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Which cluster events can make pods this plugin rejected schedulable again. */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEvent[];
}

/** What the API writes a plugin may do (preemption deletes victims; the binder binds). */
export interface SchedulerClient {
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Marks a preemption victim DisruptionTarget=True (reason PreemptionByScheduler, `message`), then deletes it. */
  deletePod(pod: Pod, message: string): Promise<void>;
  /** Patches status.nominatedNodeName ('' clears it). */
  setNominatedNode(pod: Pod, nodeName: string): Promise<void>;
  /** Volume binding's writes: a PV with its claimRef set, a claim with the selected-node annotation. */
  updatePV(pv: PersistentVolume): Promise<PersistentVolume>;
  updatePVC(pvc: PersistentVolumeClaim): Promise<PersistentVolumeClaim>;
}

/** What a plugin can read and do, handed to its factory (upstream framework.Handle). */
export interface Handle {
  /** Every node, in a stable order, as of this scheduling cycle. */
  nodeInfos(): NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  /** How many nodes hold an image (normalized name). */
  nodesWithImage(image: string): number;
  /** Nodes running pods with (anti-)affinity terms / with required anti-affinity terms. */
  nodesWithAffinityPods(): NodeInfo[];
  nodesWithRequiredAntiAffinityPods(): NodeInfo[];
  namespaceLabels(ns: string): Record<string, string> | undefined;
  listers: {
    pdbs(): PodDisruptionBudget[];
    services(ns: string): Service[];
    /** With `labels`: at least those whose selector could select them (an index; callers still match). */
    replicaSets(ns: string, labels?: Record<string, string>): ReplicaSet[];
    statefulSets(ns: string, labels?: Record<string, string>): StatefulSet[];
    namespace(name: string): Namespace | undefined;
    pod(ns: string, name: string): Pod | undefined;
    pvc(ns: string, name: string): PersistentVolumeClaim | undefined;
    pv(name: string): PersistentVolume | undefined;
    pvs(): PersistentVolume[];
    storageClass(name: string): StorageClass | undefined;
    csiNode(name: string): CSINode | undefined;
  };
  /** Whether a scheduled (bound or assumed) pod uses the claim NS/NAME (VolumeRestrictions' ReadWriteOncePod). */
  isPVCUsedByPods(key: string): boolean;
  client: SchedulerClient;
  /** Pods nominated to a node (by preemption), for counting them as if there. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /** Runs the profile's PreFilter.addPod/removePod and Filter plugins (preemption's what-if). */
  runPreFilterAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  runPreFilterRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** Records an events.k8s.io event about `regarding` (a pod), as this profile's scheduler (upstream EventRecorder().Eventf). */
  event(regarding: Pod, related: Pod | undefined, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void;
  /** The profile this framework serves. */
  readonly schedulerName: string;
}

export type PluginFactory = (args: Record<string, any> | undefined, handle: Handle) => Plugin;

export type { Node };
