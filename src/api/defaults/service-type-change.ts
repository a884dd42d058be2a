// upstream's dropTypeDependentFields (service strategy PrepareForUpdate): when an update moves
// a Service to a type that no longer uses a field, and the client sent the field back as it
// was, the field is dropped (and its allocation released after the write) instead of failing
// validation. A value the client changed is kept, so validation reports it.
import type { KubeObject } from '../resources/resource-def.js';

export const needsClusterIP = (s: KubeObject) => s.spec?.type !== 'ExternalName';
export const needsNodePorts = (s: KubeObject) => s.spec?.type === 'NodePort' || (s.spec?.type === 'LoadBalancer' && s.spec?.allocateLoadBalancerNodePorts !== false);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const nodePorts = (s: KubeObject) => (s.spec?.ports ?? []).map((p: any) => p.nodePort ?? 0);

export function dropTypeDependentFields(next: KubeObject, old: KubeObject): void {
  const spec = (next.spec ??= {});
  if (needsClusterIP(old) && !needsClusterIP(next)) {
    if (same(spec.clusterIP, old.spec?.clusterIP) && same(spec.clusterIPs, old.spec?.clusterIPs)) { delete spec.clusterIP; delete spec.clusterIPs; }
    if (same(spec.ipFamilies, old.spec?.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, old.spec?.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
    if (same(spec.internalTrafficPolicy, old.spec?.internalTrafficPolicy)) delete spec.internalTrafficPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(next) && same(nodePorts(next), nodePorts(old))) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (old.spec?.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && same(spec.allocateLoadBalancerNodePorts, old.spec?.allocateLoadBalancerNodePorts)) {
    delete spec.allocateLoadBalancerNodePorts;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (!external && same(spec.externalTrafficPolicy, old.spec?.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
}
