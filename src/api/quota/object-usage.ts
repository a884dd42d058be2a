// What the non-pod objects charge: counts of each kind under both the legacy name
// (services, secrets, …) and count/RESOURCE[.GROUP], plus the Service subtypes and the
// storage a claim requests, per storage class too.
import type { PersistentVolumeClaim, Service } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../quantity/index.js';

type Usage = Map<string, Quantity>;
const one = () => Quantity.fromValue(1);

/** Legacy object-count names upstream keeps alongside count/… */
export const LEGACY_COUNTS: Record<string, string> = {
  services: 'services', secrets: 'secrets', configmaps: 'configmaps', persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
};

export function serviceUsage(s: Service): Usage {
  const out: Usage = new Map([['services', one()], ['count/services', one()]]);
  const nodePorts = (s.spec?.ports ?? []).filter((p) => p.nodePort !== undefined).length;
  if (s.spec?.type === 'LoadBalancer') out.set('services.loadbalancers', one());
  if (s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer') out.set('services.nodeports', Quantity.fromValue(nodePorts || (s.spec?.ports ?? []).length));
  return out;
}

export function claimUsage(c: PersistentVolumeClaim): Usage {
  const out: Usage = new Map([['persistentvolumeclaims', one()], ['count/persistentvolumeclaims', one()]]);
  const storage = c.spec?.resources?.requests?.storage;
  const cls = c.spec?.storageClassName;
  if (storage !== undefined) out.set('requests.storage', Quantity.parse(storage));
  if (cls) {
    out.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, one());
    if (storage !== undefined) out.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, Quantity.parse(storage));
  }
  return out;
}

export function addUsage(total: Usage, u: Usage): void {
  for (const [k, q] of u) total.set(k, total.has(k) ? total.get(k)!.add(q) : q);
}
