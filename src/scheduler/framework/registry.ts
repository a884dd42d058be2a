// Plugin name -> New(args, handle) factory: the in-tree plugins a configuration can turn on.
import type { PluginFactory } from './interfaces.js';
import * as NodeUnschedulable from '../plugins/node-unschedulable/node-unschedulable.js';
import * as NodeName from '../plugins/node-name/node-name.js';
import * as TaintToleration from '../plugins/taint-toleration/taint-toleration.js';
import * as NodeAffinity from '../plugins/node-affinity/node-affinity.js';
import * as NodeResourcesFit from '../plugins/node-resources-fit/node-resources-fit.js';
import * as BalancedAllocation from '../plugins/node-resources-balanced-allocation/node-resources-balanced-allocation.js';
import * as NodePorts from '../plugins/node-ports/node-ports.js';
import * as InterPodAffinity from '../plugins/inter-pod-affinity/inter-pod-affinity.js';
import * as PodTopologySpread from '../plugins/pod-topology-spread/pod-topology-spread.js';
import * as ImageLocality from '../plugins/image-locality/image-locality.js';
import * as DefaultPreemption from '../plugins/default-preemption/default-preemption.js';
import * as DefaultBinder from '../plugins/default-binder/default-binder.js';
import * as PrioritySort from '../plugins/priority-sort/priority-sort.js';
import * as SchedulingGates from '../plugins/scheduling-gates/scheduling-gates.js';
import * as VolumeBinding from '../plugins/volume-binding/volume-binding.js';
import * as VolumeRestrictions from '../plugins/volume-restrictions/volume-restrictions.js';
import * as VolumeZone from '../plugins/volume-zone/volume-zone.js';
import * as NodeVolumeLimits from '../plugins/node-volume-limits/node-volume-limits.js';

export type Registry = Map<string, PluginFactory>;

export function inTreeRegistry(): Registry {
  const mods: Array<{ Name: string; New: PluginFactory }> = [
    SchedulingGates, PrioritySort, NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
    VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity, DefaultPreemption, BalancedAllocation, ImageLocality, DefaultBinder,
  ] as any;
  return new Map(mods.map((m) => [m.Name, m.New]));
}

/**
 * Upstream plugins tskube does not implement, accepted in configs and skipped (with a log
 * line): the in-tree cloud disk limits (EBSLimits, GCEPDLimits, AzureDiskLimits: upstream
 * itself removed them, NodeVolumeLimits counts migrated disks); DynamicResources needs
 * resource.k8s.io.
 */
export const UNIMPLEMENTED_UPSTREAM_PLUGINS = new Set(['EBSLimits', 'GCEPDLimits', 'AzureDiskLimits', 'DynamicResources']);
