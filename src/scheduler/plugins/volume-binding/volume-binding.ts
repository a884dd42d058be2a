// VolumeBinding: a pod's PersistentVolumeClaims decide where it may go. PreFilter rejects
// missing or deleting claims and unbound Immediate claims (the PV controller binds those
// before scheduling); Filter checks bound PVs' node affinity and, for WaitForFirstConsumer
// claims, finds a matching PV on the node or a class that can provision there; Reserve
// promises those PVs / selected nodes in an assume cache; PreBind writes them (PV claimRef,
// claim's selected-node annotation) and waits until the PV controller and provisioner have
// fully bound every claim, or bindTimeoutSeconds pass.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, asError, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import {
  ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, NOT_SUPPORTED_PROVISIONER,
  claimClass, isDelayBinding, isFullyBound, podClaims, volumeClass, volumeFitsNode,
} from '../../util/volumes.js';
import { AssumeCache } from './assume-cache.js';
import { boundToClaim, findMatchingVolume, requestedStorage, topologyAllows } from './pv-matching.js';

export const Name = 'VolumeBinding';
export const ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const ErrReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const ErrReasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ErrUnboundImmediatePVC = 'pod has unbound immediate PersistentVolumeClaims';

export interface VolumeBindingArgs { bindTimeoutSeconds?: number }

interface StaticBinding { pv: PersistentVolume; pvc: PersistentVolumeClaim }
interface PodVolumes { bindings: StaticBinding[]; provisions: PersistentVolumeClaim[] }

const pvcKey = (c: PersistentVolumeClaim) => `${c.metadata?.namespace}/${c.metadata?.name}`;
const rv = (o: { metadata?: { resourceVersion?: string } } | undefined) => Number(o?.metadata?.resourceVersion ?? 0);
const key = `PreFilter${Name}`;

class State implements StateData {
  readonly byNode = new Map<string, PodVolumes>();
  allBound = false;
  constructor(readonly bound: PersistentVolumeClaim[], readonly delayed: PersistentVolumeClaim[], readonly pvsByClass: Map<string, PersistentVolume[]>) {}
  clone(): StateData { return this; }
}

export function New(args: VolumeBindingArgs | undefined, h: Handle) {
  const timeoutMs = (args?.bindTimeoutSeconds ?? 600) * 1000;
  const pvcs = new AssumeCache<PersistentVolumeClaim>((k) => { const [ns, n] = k.split('/'); return h.listers.pvc(ns, n); });
  const pvs = new AssumeCache<PersistentVolume>((k) => h.listers.pv(k));

  /** Why the claims on this node cannot work, or what binding they need. */
  function findPodVolumes(st: State, node: NodeInfo): { reasons: string[]; volumes: PodVolumes } {
    const labels = node.labels;
    const volumes: PodVolumes = { bindings: [], provisions: [] };
    const reasons: string[] = [];
    let pvMissing = false;
    let nodeConflict = false;
    for (const c of st.bound) {
      const pv = pvs.get(c.spec!.volumeName!);
      if (!pv) { pvMissing = true; break; }
      if (!volumeFitsNode(pv, labels)) { nodeConflict = true; break; }
    }
    if (nodeConflict) reasons.push(ErrReasonNodeConflict);
    let unboundOK = true;
    const toProvision: PersistentVolumeClaim[] = [];
    const toMatch: PersistentVolumeClaim[] = [];
    for (const c of st.delayed) {
      const selected = c.metadata?.annotations?.[ANN_SELECTED_NODE];
      if (selected !== undefined && selected !== node.name) { unboundOK = false; break; }
      (selected !== undefined ? toProvision : toMatch).push(c);
    }
    if (unboundOK) {
      // Smallest claims first, so each gets the smallest PV that fits.
      const chosen = new Set<string>();
      for (const c of [...toMatch].sort((a, b) => requestedStorage(a) - requestedStorage(b))) {
        const pv = findMatchingVolume(c, st.pvsByClass.get(claimClass(c)) ?? [], labels, chosen);
        if (!pv) { unboundOK = false; toProvision.push(c); continue; }
        chosen.add(pv.metadata!.name!);
        volumes.bindings.push({ pv, pvc: c });
      }
      if (toProvision.length) {
        let provisionOK = true;
        for (const c of toProvision) {
          const cls = claimClass(c);
          if (!cls) throw new Error(`no class for claim "${pvcKey(c)}"`);
          const sc = h.listers.storageClass(cls);
          if (!sc) throw new Error(`failed to find storage class "${cls}"`);
          if (!sc.provisioner || sc.provisioner === NOT_SUPPORTED_PROVISIONER || !topologyAllows(sc.allowedTopologies, labels)) { provisionOK = false; break; }
          volumes.provisions.push(c);
        }
        unboundOK = provisionOK;
      }
    }
    if (!unboundOK) reasons.push(ErrReasonBindConflict);
    if (pvMissing) reasons.push(ErrReasonPVNotExist);
    return { reasons, volumes };
  }

  /** True once every claim the pod's volumes were waiting for is fully bound; throws when binding went wrong. */
  function bindingsDone(pod: PodInfo, node: string, v: PodVolumes): boolean {
    if (!h.listers.pod(pod.namespace, pod.name)) throw new Error('pod does not exist any more');
    const labels = h.nodeInfo(node)?.labels ?? {};
    for (const b of v.bindings) {
      const pv = pvs.getAPI(b.pv.metadata!.name!);
      const pvc = pvcs.getAPI(pvcKey(b.pvc));
      if (!pv || !pvc) throw new Error(`failed to check binding: ${!pv ? `persistentvolume "${b.pv.metadata!.name}"` : `persistentvolumeclaim "${pvcKey(b.pvc)}"`} not found`);
      if (rv(b.pv) > rv(pv)) return false; // our update has not come back through the watch yet
      if (!volumeFitsNode(pv, labels)) throw new Error(`pv "${pv.metadata!.name}" node affinity doesn't match node "${node}"`);
      if (!pv.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv "${pv.metadata!.name}"`);
      if (!isFullyBound(pvc)) return false;
    }
    for (const c of v.provisions) {
      const pvc = pvcs.getAPI(pvcKey(c));
      if (!pvc) throw new Error(`failed to check provisioning pvc: persistentvolumeclaim "${pvcKey(c)}" not found`);
      if (rv(c) > rv(pvc)) return false;
      if (pvc.metadata?.annotations?.[ANN_SELECTED_NODE] !== node) throw new Error(`provisioning failed for PVC "${pvc.metadata?.name}"`);
      if (pvc.spec?.volumeName) {
        const pv = pvs.getAPI(pvc.spec.volumeName);
        if (!pv) return false;
        if (!volumeFitsNode(pv, labels)) throw new Error(`pv "${pv.metadata!.name}" node affinity doesn't match node "${node}"`);
      }
      if (!isFullyBound(pvc)) return false;
    }
    return true;
  }

  return {
    name: Name,
    preFilter(state: CycleState, pod: PodInfo): { status: Status } {
      const claims = podClaims(pod.pod);
      if (claims.length === 0) { state.write(key, new State([], [], new Map())); return { status: SKIP }; }
      const bound: PersistentVolumeClaim[] = [];
      const delayed: PersistentVolumeClaim[] = [];
      let immediate = 0;
      for (const { name, ephemeral } of claims) {
        const pvc = pvcs.get(`${pod.namespace}/${name}`);
        if (!pvc) return { status: unresolvable(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`) };
        if (pvc.status?.phase === 'Lost') return { status: unresolvable(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`) };
        if (pvc.metadata?.deletionTimestamp) return { status: unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
        if (ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === pod.uid)) {
          return { status: unresolvable(`PVC ${pod.namespace}/${name} was not created for pod ${pod.namespace}/${pod.name} (pod is not owner)`) };
        }
        if (isFullyBound(pvc)) { bound.push(pvc); continue; }
        let delay;
        try { delay = isDelayBinding(pvc, (n) => h.listers.storageClass(n)); } catch (err) { return { status: asError(err) }; }
        // A claim pre-bound to a PV (volumeName set) waits for the PV controller like an immediate one.
        if (delay && !pvc.spec?.volumeName) delayed.push(pvc); else immediate++;
      }
      if (immediate) return { status: unresolvable(ErrUnboundImmediatePVC) };
      const pvsByClass = new Map<string, PersistentVolume[]>();
      if (delayed.length) {
        const all = pvs.overlay(h.listers.pvs(), (v) => v.metadata!.name!);
        for (const c of delayed) {
          const cls = claimClass(c);
          if (!pvsByClass.has(cls)) pvsByClass.set(cls, all.filter((v) => volumeClass(v) === cls));
        }
      }
      state.write(key, new State(bound, delayed, pvsByClass));
      return { status: SUCCESS };
    },
    filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
      const st = state.read<State>(key);
      if (!st) return SUCCESS;
      const { reasons, volumes } = findPodVolumes(st, node);
      if (reasons.length) return unresolvable(...reasons);
      st.byNode.set(node.name, volumes);
      return SUCCESS;
    },
    reserve(state: CycleState, pod: PodInfo, node: string): Status {
      const st = state.read<State>(key);
      const v = st?.byNode.get(node);
      if (!st || !v || st.delayed.length === 0) { if (st) st.allBound = true; return SUCCESS; }
      try {
        for (const b of v.bindings) {
          if (boundToClaim(b.pv, b.pvc) && b.pv.spec?.claimRef?.uid) continue;
          const annotations = { ...(b.pv.metadata?.annotations ?? {}) };
          if (!b.pv.spec?.claimRef) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
          const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: b.pvc.metadata!.namespace, name: b.pvc.metadata!.name, uid: b.pvc.metadata!.uid, resourceVersion: b.pvc.metadata!.resourceVersion };
          const promised: PersistentVolume = { ...b.pv, metadata: { ...b.pv.metadata, annotations }, spec: { ...b.pv.spec, claimRef } };
          pvs.assume(b.pv.metadata!.name!, promised);
          b.pv = promised;
        }
        v.provisions = v.provisions.map((c) => {
          const selected: PersistentVolumeClaim = { ...c, metadata: { ...c.metadata, annotations: { ...(c.metadata?.annotations ?? {}), [ANN_SELECTED_NODE]: node } } };
          pvcs.assume(pvcKey(c), selected);
          return selected;
        });
      } catch (err) {
        this.unreserve(state, pod, node);
        return asError(err);
      }
      st.allBound = false;
      return SUCCESS;
    },
    unreserve(state: CycleState, _pod: PodInfo, node: string): void {
      const v = state.read<State>(key)?.byNode.get(node);
      if (!v) return;
      for (const b of v.bindings) pvs.restore(b.pv.metadata!.name!);
      for (const c of v.provisions) pvcs.restore(pvcKey(c));
    },
    async preBind(state: CycleState, pod: PodInfo, node: string): Promise<Status> {
      const st = state.read<State>(key);
      if (!st || st.allBound) return SUCCESS;
      const v = st.byNode.get(node);
      if (!v) return asError(new Error(`no pod volumes found for node "${node}"`));
      try {
        for (const b of v.bindings) b.pv = await h.client.updatePV(b.pv);
        v.provisions = await Promise.all(v.provisions.map((c) => h.client.updatePVC(c)));
        const deadline = Date.now() + timeoutMs;
        while (!bindingsDone(pod, node, v)) {
          if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
          await new Promise((r) => setTimeout(r, 1000));
        }
      } catch (err) {
        this.unreserve(state, pod, node);
        return asError(new Error(`binding volumes: ${(err as Error).message}`));
      }
      return SUCCESS;
    },
    eventsToRegister: () => [
      clusterEvent('PersistentVolumeClaim', 'Add'), clusterEvent('PersistentVolumeClaim', 'Update'),
      clusterEvent('PersistentVolume', 'Add'), clusterEvent('PersistentVolume', 'Update'),
      clusterEvent('StorageClass', 'Add'), clusterEvent('StorageClass', 'Update'),
      clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeLabel'), clusterEvent('Node', 'UpdateNodeTaint'),
    ],
  } satisfies PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin & EnqueueExtensions;
}
