// core/v1 defaults for services, secrets and namespaces (core/v1 defaults.go, strategies).
import type { KubeObject } from '../resources/resource-def.js';

export function defaultService(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ??= 'Cluster';
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.ipFamilies ??= ['IPv4'];
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
}

export function defaultSecret(obj: KubeObject): void {
  obj.type ??= 'Opaque';
}

export function defaultNamespace(obj: KubeObject): void {
  obj.metadata ??= {};
  const name = obj.metadata.name;
  // The namespace strategy keeps this label equal to the name on every write.
  if (name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
}
