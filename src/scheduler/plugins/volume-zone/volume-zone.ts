// VolumeZone: a pod whose claims are bound to PVs labelled with a zone or region may only go
// to nodes in that zone or region (a PV label may list several, joined by "__"). Nodes with
// no topology labels at all pass (single-zone clusters); beta labels on either side match
// their GA equivalents.
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, asError, unresolvable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { claimClass } from '../../util/volumes.js';

export const Name = 'VolumeZone';
export const ErrReasonConflict = 'node(s) had no available volume zone';

const BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
const BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';
const TOPOLOGY_LABELS = [BETA_ZONE, BETA_REGION, ZONE, REGION];
const toGA = (k: string) => (k === BETA_ZONE ? ZONE : k === BETA_REGION ? REGION : k);

interface PVTopology { key: string; values: Set<string> }
const key = `PreFilter${Name}`;

class State implements StateData {
  constructor(readonly topologies: PVTopology[]) {}
  clone(): StateData { return this; }
}

function pvTopologies(pv: PersistentVolume): PVTopology[] {
  const out: PVTopology[] = [];
  for (const k of TOPOLOGY_LABELS) {
    const v = pv.metadata?.labels?.[k];
    if (v === undefined) continue;
    const values = v.split('__').map((s) => s.trim()).filter(Boolean);
    if (values.length) out.push({ key: k, values: new Set(values) });
  }
  return out;
}

export function New(_args: unknown, h: Handle) {
  return {
    name: Name,
    preFilter(state: CycleState, pod: PodInfo): { status: Status } {
      const tops: PVTopology[] = [];
      for (const v of pod.pod.spec?.volumes ?? []) {
        if (!v.persistentVolumeClaim) continue;
        const name = v.persistentVolumeClaim.claimName;
        if (!name) return { status: unresolvable('PersistentVolumeClaim had no name') };
        const pvc = h.listers.pvc(pod.namespace, name);
        if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${name}" not found`) };
        const pvName = pvc.spec?.volumeName;
        if (!pvName) {
          const cls = claimClass(pvc);
          if (!cls) return { status: unresolvable('PersistentVolumeClaim had no pv name and storageClass name') };
          const sc = h.listers.storageClass(cls);
          if (!sc) return { status: unresolvable(`storageclass.storage.k8s.io "${cls}" not found`) };
          if (!sc.volumeBindingMode) return { status: unresolvable(`VolumeBindingMode not set for StorageClass "${cls}"`) };
          if (sc.volumeBindingMode === 'WaitForFirstConsumer') continue; // bound after scheduling
          return { status: unresolvable('PersistentVolume had no name') };
        }
        const pv = h.listers.pv(pvName);
        if (!pv) return { status: unresolvable(`persistentvolume "${pvName}" not found`) };
        tops.push(...pvTopologies(pv));
      }
      if (tops.length === 0) return { status: SKIP };
      state.write(key, new State(tops));
      return { status: SUCCESS };
    },
    filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
      const st = state.read<State>(key);
      if (!st) return asError(new Error(`cannot read "${key}" from cycleState`));
      const labels = node.labels;
      if (!TOPOLOGY_LABELS.some((k) => labels[k] !== undefined)) return SUCCESS;
      for (const t of st.topologies) {
        const v = labels[t.key] ?? labels[toGA(t.key)];
        if (v === undefined || !t.values.has(v)) return unresolvable(ErrReasonConflict);
      }
      return SUCCESS;
    },
    eventsToRegister: () => [
      clusterEvent('StorageClass', 'Add'), clusterEvent('Node', 'Add'), clusterEvent('Node', 'UpdateNodeLabel'), clusterEvent('Node', 'UpdateNodeTaint'),
      clusterEvent('PersistentVolumeClaim', 'Add'), clusterEvent('PersistentVolumeClaim', 'Update'), clusterEvent('PersistentVolume', 'Add'), clusterEvent('PersistentVolume', 'Update'),
    ],
  } satisfies PreFilterPlugin & FilterPlugin & EnqueueExtensions;
}
