// Service checks: ports, type, and the immutable clusterIP.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../status/index.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export function validateService(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, TYPES));
  const ports = spec.ports ?? [];
  if (spec.type !== 'ExternalName' && ports.length === 0 && spec.clusterIP !== 'None') errs.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p: any, i: number) => {
    if (ports.length > 1 && !p.name) errs.push(required(`spec.ports[${i}].name`));
    if (p.name && names.has(p.name)) errs.push(duplicate(`spec.ports[${i}].name`, p.name));
    if (p.name) names.add(p.name);
    if (!(p.port >= 1 && p.port <= 65535)) errs.push(invalid(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'));
    if (!['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(`spec.ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (spec.type === 'ClusterIP' && p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
  });
  if (spec.type === 'ExternalName') {
    if (spec.clusterIPs?.length || spec.clusterIP) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (spec.ipFamilies?.length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    if (!String(spec.externalName ?? '').replace(/\.$/, '')) errs.push(required('spec.externalName'));
  }
  // The primary clusterIP is immutable, unless the type moves to or from ExternalName.
  if (old && old.spec?.clusterIP && spec.clusterIP !== old.spec.clusterIP && old.spec.type !== 'ExternalName' && spec.type !== 'ExternalName') {
    errs.push(invalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set'));
  }
  return errs;
}
