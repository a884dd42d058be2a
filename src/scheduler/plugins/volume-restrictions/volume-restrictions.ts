// VolumeRestrictions: a claim with the ReadWriteOncePod access mode serves one pod in the
// whole cluster (another scheduled pod using it makes every node unschedulable, which
// preemption may resolve), and inline disks that allow one writer (GCE PD unless all
// read-only, AWS EBS, RBD and iSCSI unless all read-only) conflict with the same disk on
// the node.
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';

export const Name = 'VolumeRestrictions';
export const ErrReasonDiskConflict = 'node(s) had no available disk';
export const ErrReasonReadWriteOncePodConflict = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

const key = `PreFilter${Name}`;

class State implements StateData {
  constructor(readonly namespace: string, readonly rwop: Set<string>, public conflicts: number) {}
  /** How many of `other`'s claims are this pod's ReadWriteOncePod claims. */
  uses(other: PodInfo): number {
    if (other.namespace !== this.namespace) return 0;
    let n = 0;
    for (const v of other.pod.spec?.volumes ?? []) if (v.persistentVolumeClaim && this.rwop.has(v.persistentVolumeClaim.claimName)) n++;
    return n;
  }
  clone(): StateData { return new State(this.namespace, this.rwop, this.conflicts); }
}

const needsDiskCheck = (v: Volume) => !!(v.gcePersistentDisk || v.awsElasticBlockStore || v.rbd || v.iscsi);

function conflicts(v: Volume, other: Pod): boolean {
  for (const e of other.spec?.volumes ?? []) {
    if (v.gcePersistentDisk && e.gcePersistentDisk && v.gcePersistentDisk.pdName === e.gcePersistentDisk.pdName && !(v.gcePersistentDisk.readOnly && e.gcePersistentDisk.readOnly)) return true;
    if (v.awsElasticBlockStore && e.awsElasticBlockStore && v.awsElasticBlockStore.volumeID === e.awsElasticBlockStore.volumeID) return true;
    if (v.iscsi && e.iscsi && v.iscsi.iqn === e.iscsi.iqn && !(v.iscsi.readOnly && e.iscsi.readOnly)) return true;
    if (v.rbd && e.rbd && v.rbd.pool === e.rbd.pool && v.rbd.image === e.rbd.image && !(v.rbd.readOnly && e.rbd.readOnly)
      && v.rbd.monitors.some((m) => e.rbd!.monitors.includes(m))) return true;
  }
  return false;
}

export function New(_args: unknown, h: Handle) {
  return {
    name: Name,
    preFilter(state: CycleState, pod: PodInfo): { status: Status } {
      const vols = pod.pod.spec?.volumes ?? [];
      const rwop = new Set<string>();
      for (const v of vols) {
        if (!v.persistentVolumeClaim) continue;
        const name = v.persistentVolumeClaim.claimName;
        const pvc = h.listers.pvc(pod.namespace, name);
        if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${name}" not found`) };
        if (pvc.spec?.accessModes?.includes('ReadWriteOncePod')) rwop.add(name);
      }
      let used = 0;
      for (const name of rwop) if (h.isPVCUsedByPods(`${pod.namespace}/${name}`)) used++;
      if (!vols.some(needsDiskCheck) && used === 0) return { status: SKIP };
      state.write(key, new State(pod.namespace, rwop, used));
      return { status: SUCCESS };
    },
    addPod(state: CycleState, _pod: PodInfo, added: PodInfo): void {
      const st = state.read<State>(key);
      if (st) st.conflicts += st.uses(added);
    },
    removePod(state: CycleState, _pod: PodInfo, removed: PodInfo): void {
      const st = state.read<State>(key);
      if (st) st.conflicts -= st.uses(removed);
    },
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
      for (const v of pod.pod.spec?.volumes ?? []) {
        if (!needsDiskCheck(v)) continue;
        for (const other of node.pods) if (conflicts(v, other.pod)) return unschedulable(ErrReasonDiskConflict);
      }
      const st = state.read<State>(key);
      return st && st.conflicts > 0 ? unschedulable(ErrReasonReadWriteOncePodConflict) : SUCCESS;
    },
    eventsToRegister: () => [clusterEvent('AssignedPod', 'Delete'), clusterEvent('Node', 'Add'), clusterEvent('PersistentVolumeClaim', 'Add')],
  } satisfies PreFilterPlugin & FilterPlugin & EnqueueExtensions;
}
