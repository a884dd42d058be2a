// What an object counts against a ResourceQuota: object counts (`pods`, `count/deployments.apps`)
// and, for pods, their compute requests and limits; for claims, requested storage.
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { Quantity } from '../../../api/quantity/index.js';

/** Core resources quota also counts under their short names. */
const LEGACY_COUNTS = ['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'];

export const countName = (def: ResourceDef) => `count/${def.group ? `${def.plural}.${def.group}` : def.plural}`;

function podCompute(pod: KubeObject, kind: 'requests' | 'limits'): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries<string>(c.resources?.[kind] ?? {})) sum.set(k, (sum.get(k) ?? Quantity.parse(0)).add(Quantity.parse(v)));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries<string>(c.resources?.[kind] ?? {})) {
      const q = Quantity.parse(v);
      if (!sum.has(k) || q.cmp(sum.get(k)!) > 0) sum.set(k, q);
    }
  }
  return sum;
}

/** The usage one object adds; terminal pods add nothing. */
export function usageOf(def: ResourceDef, obj: KubeObject): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  const one = Quantity.parse(1);
  if (def.plural === 'pods' && def.group === '' && ['Succeeded', 'Failed'].includes(obj.status?.phase)) return out;
  out.set(countName(def), one);
  if (def.group === '' && LEGACY_COUNTS.includes(def.plural)) out.set(def.plural, one);
  if (def.group === '' && def.plural === 'pods') {
    for (const [k, v] of podCompute(obj, 'requests')) { out.set(`requests.${k}`, v); if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') out.set(k, v); }
    for (const [k, v] of podCompute(obj, 'limits')) out.set(`limits.${k}`, v);
  }
  if (def.group === '' && def.plural === 'services') {
    const type = obj.spec?.type;
    if (type === 'NodePort' || type === 'LoadBalancer') out.set('services.nodeports', Quantity.parse((obj.spec?.ports ?? []).length));
    if (type === 'LoadBalancer') out.set('services.loadbalancers', one);
  }
  if (def.group === '' && def.plural === 'persistentvolumeclaims') {
    const s = obj.spec?.resources?.requests?.storage;
    if (s) {
      out.set('requests.storage', Quantity.parse(s));
      if (obj.spec?.storageClassName) out.set(`${obj.spec.storageClassName}.storageclass.storage.k8s.io/requests.storage`, Quantity.parse(s));
    }
  }
  return out;
}

/** `a=1,b=2` sorted by name, as upstream prints resource lists. */
export function printResources(m: Map<string, Quantity> | Record<string, string>): string {
  const entries = m instanceof Map ? [...m].map(([k, v]) => [k, v.toString()] as const) : Object.entries(m);
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
}
