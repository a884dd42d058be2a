// What an object counts against a ResourceQuota, as the quota controller counts it
// (api/quota): object counts (`pods`, `count/deployments.apps`), a pod's compute requests and
// limits, a claim's storage (per storage class too), a Service's node ports and load balancers.
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { Quantity } from '../../../api/quantity/index.js';
import { podUsage } from '../../../api/quota/pod-usage.js';
import { claimUsage, serviceUsage } from '../../../api/quota/object-usage.js';

/** Core resources quota also counts under their short names. */
const LEGACY_COUNTS = ['secrets', 'configmaps', 'replicationcontrollers', 'resourcequotas'];

export const countName = (def: ResourceDef) => `count/${def.group ? `${def.plural}.${def.group}` : def.plural}`;

/** The usage one object adds; terminal pods add nothing. */
export function usageOf(def: ResourceDef, obj: KubeObject): Map<string, Quantity> {
  if (def.group === '' && def.plural === 'pods') {
    return ['Succeeded', 'Failed'].includes(obj.status?.phase) ? new Map() : podUsage(obj);
  }
  if (def.group === '' && def.plural === 'services') return serviceUsage(obj);
  if (def.group === '' && def.plural === 'persistentvolumeclaims') return claimUsage(obj);
  const out = new Map<string, Quantity>([[countName(def), Quantity.parse(1)]]);
  if (def.group === '' && LEGACY_COUNTS.includes(def.plural)) out.set(def.plural, Quantity.parse(1));
  return out;
}

/** now − before, without the unchanged entries. */
export function usageDelta(now: Map<string, Quantity>, before: Map<string, Quantity>): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const k of new Set([...now.keys(), ...before.keys()])) {
    const d = (now.get(k) ?? Quantity.parse(0)).sub(before.get(k) ?? Quantity.parse(0));
    if (d.cmp(Quantity.parse(0)) !== 0) out.set(k, d);
  }
  return out;
}

/** `a=1,b=2` sorted by name, as upstream prints resource lists. */
export function printResources(m: Map<string, Quantity> | Record<string, string>): string {
  const entries = m instanceof Map ? [...m].map(([k, v]) => [k, v.toString()] as const) : Object.entries(m);
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
}
