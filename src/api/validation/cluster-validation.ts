// Key checks for rbac, scheduling, policy, certificates, autoscaling, networking,
// discovery and events.k8s.io objects, with upstream's field paths and wording.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, forbidden, invalid, notSupported, required } from '../status/index.js';

const immutable = (errs: FieldError[], path: string, a: unknown, b: unknown, value: unknown = a) => {
  if (JSON.stringify(a) !== JSON.stringify(b)) errs.push(invalid(path, value, 'field is immutable'));
};

export function validateRole(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  (obj.rules ?? []).forEach((r: any, i: number) => {
    if (!r.verbs?.length) errs.push(required(`rules[${i}].verbs`, 'verbs must contain at least one value'));
    if (r.nonResourceURLs?.length && obj.kind === 'Role') errs.push(invalid(`rules[${i}].nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (!r.nonResourceURLs?.length && !r.resources?.length) errs.push(required(`rules[${i}].resources`, 'resource rules must supply at least one resource'));
    if (r.resources?.length && !r.apiGroups?.length) errs.push(required(`rules[${i}].apiGroups`, 'resource rules must supply at least one api group'));
  });
  return errs;
}

export function validateBinding(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj.roleRef ?? {};
  const kinds = obj.kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (ref.apiGroup !== 'rbac.authorization.k8s.io') errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', ['rbac.authorization.k8s.io']));
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  (obj.subjects ?? []).forEach((s: any, i: number) => {
    if (!s.name) errs.push(required(`subjects[${i}].name`));
    if (!['ServiceAccount', 'User', 'Group'].includes(s.kind)) errs.push(notSupported(`subjects[${i}].kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    if (s.kind === 'ServiceAccount' && !s.namespace && obj.kind === 'ClusterRoleBinding') errs.push(required(`subjects[${i}].namespace`));
  });
  if (old && JSON.stringify(old.roleRef) !== JSON.stringify(obj.roleRef)) errs.push(invalid('roleRef', obj.roleRef, 'cannot change roleRef'));
  return errs;
}

export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export function validatePriorityClass(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  if (name in SYSTEM_PRIORITY_CLASSES) {
    if (obj.value !== SYSTEM_PRIORITY_CLASSES[name]) errs.push(forbidden('metadata.name', `priority class ${name} is reserved and must have value ${SYSTEM_PRIORITY_CLASSES[name]}`));
  } else if (name.startsWith('system-')) {
    errs.push(forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
  } else if (typeof obj.value !== 'number' || obj.value > 1000000000) {
    errs.push(forbidden('value', 'maximum allowed value of a user defined priority is 1000000000'));
  }
  const pp = obj.preemptionPolicy;
  if (pp && !['Never', 'PreemptLowerPriority'].includes(pp)) errs.push(notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
  if (old && old.value !== obj.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  if (old && old.preemptionPolicy !== obj.preemptionPolicy) errs.push(invalid('preemptionPolicy', obj.preemptionPolicy, 'field is immutable'));
  return errs;
}

export function validatePDB(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    const v = spec[f];
    if (typeof v === 'number' && v < 0) errs.push(invalid(`spec.${f}`, v, 'must be greater than or equal to 0'));
    if (typeof v === 'string' && !/^\d+%$/.test(v)) errs.push(invalid(`spec.${f}`, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
  }
  return errs;
}

export function validateCSR(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.request) errs.push(invalid('spec.request', [], 'PEM block type must be CERTIFICATE REQUEST'));
  else if (!Buffer.from(String(spec.request), 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    errs.push(invalid('spec.request', [], 'PEM block type must be CERTIFICATE REQUEST'));
  }
  if (!spec.signerName) errs.push(required('spec.signerName'));
  if (!spec.usages?.length) errs.push(required('spec.usages'));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  if (old) immutable(errs, 'spec', obj.spec, old.spec);
  return errs;
}

export function validateHPA(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const ref = spec.scaleTargetRef ?? {};
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind'));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name'));
  if (spec.minReplicas !== undefined && spec.minReplicas < 1) errs.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (!(spec.maxReplicas >= 1)) errs.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas) errs.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

export function validateIngress(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.defaultBackend && !spec.rules?.length) errs.push(invalid('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  (spec.rules ?? []).forEach((r: any, i: number) => {
    (r.http?.paths ?? []).forEach((p: any, j: number) => {
      const at = `spec.rules[${i}].http.paths[${j}]`;
      if (!p.pathType) errs.push(required(`${at}.pathType`, 'pathType must be specified'));
      else if (!PATH_TYPES.includes(p.pathType)) errs.push(notSupported(`${at}.pathType`, p.pathType, PATH_TYPES));
      if (p.pathType !== 'ImplementationSpecific' && p.path !== undefined && !String(p.path).startsWith('/')) errs.push(invalid(`${at}.path`, p.path, 'must be an absolute path'));
      if (!p.backend?.service && !p.backend?.resource) errs.push(invalid(`${at}.backend`, p.backend ?? {}, 'must specify a backend'));
    });
  });
  return errs;
}

export function validateNetworkPolicy(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  (obj.spec?.policyTypes ?? []).forEach((t: string, i: number) => {
    if (!['Ingress', 'Egress'].includes(t)) errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

export function validateEndpointSlice(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['FQDN', 'IPv4', 'IPv6'];
  if (!obj.addressType) errs.push(required('addressType'));
  else if (!types.includes(obj.addressType)) errs.push(notSupported('addressType', obj.addressType, types));
  if ((obj.endpoints ?? []).length > 1000) errs.push(invalid('endpoints', obj.endpoints.length, 'must have at most 1000 items'));
  (obj.endpoints ?? []).forEach((e: any, i: number) => { if (!e.addresses?.length) errs.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address')); });
  if (old) immutable(errs, 'addressType', obj.addressType, old.addressType);
  return errs;
}

/** events.k8s.io/v1 requires who reported what, and when. */
export function validateEventV1(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.eventTime) errs.push(required('eventTime'));
  for (const f of ['reportingController', 'reportingInstance', 'action', 'reason']) if (!obj[f]) errs.push(required(f));
  if (obj.type && !['Normal', 'Warning'].includes(obj.type)) errs.push(notSupported('type', obj.type, ['Normal', 'Warning']));
  if (obj.note && String(obj.note).length > 1024) errs.push(invalid('note', '', 'can have at most 1024 characters'));
  return errs;
}
