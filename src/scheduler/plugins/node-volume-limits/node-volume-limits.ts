// NodeVolumeLimits (upstream CSILimits): a node's CSINode says how many volumes each CSI
// driver can attach there (spec.drivers[].allocatable.count); a pod fits only if its new
// volumes, added to the distinct volumes the node's pods already use, stay within each
// driver's count. Volumes are those of claims (bound PV's csi driver and handle; an unbound
// claim counts against its class's provisioner) and in-tree disks the CSINode lists as
// migrated to CSI. No CSINode, or no count for a driver, means no limit.
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { CSINode } from 'kubernetes-types/storage/v1.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, SKIP, SUCCESS, Status, unresolvable, unschedulable } from '../../framework/status.js';
import { clusterEvent } from '../../framework/cluster-event.js';
import { claimClass } from '../../util/volumes.js';
import { inlineMigratedVolume, migratedPV, MIGRATED_PLUGINS_ANNOTATION, provisionerDriver } from './csi-migration.js';

export const Name = 'NodeVolumeLimits';
export const ErrReasonMaxVolumeCountExceeded = 'node(s) exceed max volume count';

class LookupError extends Error {
  constructor(message: string, readonly notFound: boolean) { super(message); }
}

/** Upstream ephemeral.VolumeIsForPod: a generic ephemeral volume's claim must be controlled by the pod. */
function ownedByPod(pvc: PersistentVolumeClaim, pod: Pod): boolean {
  return (pvc.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === pod.metadata?.uid);
}

export function New(_args: unknown, h: Handle) {
  // Unbound claims get a handle no real volume has (upstream uses a random prefix too).
  const unboundPrefix = Math.random().toString(36).slice(2, 10);

  const migratedOn = (csiNode: CSINode | undefined) =>
    new Set((csiNode?.metadata?.annotations?.[MIGRATED_PLUGINS_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter(Boolean));

  /** Driver and handle of a claim's volume, or undefined when it does not count. */
  const claimVolume = (pvc: PersistentVolumeClaim, migrated: Set<string>): [string, string] | undefined => {
    const pvName = pvc.spec?.volumeName;
    const pv: PersistentVolume | undefined = pvName ? h.listers.pv(pvName) : undefined;
    if (pv) {
      const csi = pv.spec?.csi;
      if (csi) return [csi.driver, csi.volumeHandle];
      const m = migratedPV(pv);
      return m && migrated.has(m.plugin) ? [m.driver, m.handle] : undefined;
    }
    // Not bound yet (or its PV is gone): count it against the class's provisioner.
    const cls = claimClass(pvc);
    const sc = cls ? h.listers.storageClass(cls) : undefined;
    if (!sc) return undefined;
    const d = provisionerDriver(sc.provisioner);
    if (d.plugin && !migrated.has(d.plugin)) return undefined;
    return [d.driver, `${unboundPrefix}-${pvc.metadata?.namespace}/${pvc.metadata?.name}`];
  };

  /** Adds the pod's attachable volumes (unique name -> driver) to `out`. A new pod's missing claim is an error. */
  const attachable = (pod: Pod, migrated: Set<string>, newPod: boolean, out: Map<string, string>): void => {
    const ns = pod.metadata?.namespace ?? 'default';
    for (const v of pod.spec?.volumes ?? []) {
      let claimName: string;
      let ephemeral = false;
      if (v.persistentVolumeClaim) claimName = v.persistentVolumeClaim.claimName;
      else if (v.ephemeral) { claimName = `${pod.metadata?.name}-${v.name}`; ephemeral = true; } else {
        const m = inlineMigratedVolume(v);
        if (m && migrated.has(m.plugin)) out.set(`${m.driver}/${m.handle}`, m.driver);
        continue;
      }
      if (!claimName) throw new LookupError('PersistentVolumeClaim had no name', false);
      const pvc = h.listers.pvc(ns, claimName);
      if (!pvc) {
        if (newPod) throw new LookupError(`looking up PVC ${ns}/${claimName}: persistentvolumeclaim "${claimName}" not found`, true);
        continue;
      }
      if (ephemeral && !ownedByPod(pvc, pod)) throw new LookupError(`PVC ${ns}/${claimName} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`, false);
      const cv = claimVolume(pvc, migrated);
      if (cv && cv[0] && cv[1]) out.set(`${cv[0]}/${cv[1]}`, cv[0]);
    }
  };

  return {
    name: Name,
    preFilter(_state: CycleState, pod: PodInfo): { status: Status } {
      const counts = (v: Volume) => !!(v.persistentVolumeClaim || v.ephemeral || inlineMigratedVolume(v));
      return { status: (pod.pod.spec?.volumes ?? []).some(counts) ? SUCCESS : SKIP };
    },
    filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
      if (!pod.pod.spec?.volumes?.length) return SUCCESS;
      const csiNode = h.listers.csiNode(node.name);
      const limits = new Map<string, number>();
      for (const d of csiNode?.spec?.drivers ?? []) if (d.allocatable?.count !== undefined && d.allocatable.count !== null) limits.set(d.name, d.allocatable.count);
      const migrated = migratedOn(csiNode);
      const wanted = new Map<string, string>();
      try {
        attachable(pod.pod, migrated, true, wanted);
      } catch (err) {
        const e = err as LookupError;
        return e.notFound ? unresolvable(e.message) : new Status(Code.Error, [e.message]);
      }
      if (wanted.size === 0 || limits.size === 0) return SUCCESS;
      const attached = new Map<string, string>();
      try {
        for (const p of node.pods) attachable(p.pod, migrated, false, attached);
      } catch (err) { return new Status(Code.Error, [(err as Error).message]); }
      const inUse = new Map<string, number>();
      for (const [unique, driver] of attached) {
        wanted.delete(unique); // a volume already attached there costs nothing more
        inUse.set(driver, (inUse.get(driver) ?? 0) + 1);
      }
      const adding = new Map<string, number>();
      for (const driver of wanted.values()) adding.set(driver, (adding.get(driver) ?? 0) + 1);
      for (const [driver, n] of adding) {
        const max = limits.get(driver);
        if (max !== undefined && (inUse.get(driver) ?? 0) + n > max) return unschedulable(ErrReasonMaxVolumeCountExceeded);
      }
      return SUCCESS;
    },
    eventsToRegister: () => [
      clusterEvent('CSINode', 'Add'), clusterEvent('CSINode', 'Update'), clusterEvent('AssignedPod', 'Delete'), clusterEvent('PersistentVolumeClaim', 'Add'),
    ],
  } satisfies PreFilterPlugin & FilterPlugin & EnqueueExtensions;
}
