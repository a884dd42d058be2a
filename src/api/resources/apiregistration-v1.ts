// apiregistration.k8s.io/v1 APIService: one group/version the API server serves, either
// itself ("Local", spec.service null) or by proxying to an extension API server behind a
// Service (src/apiserver/aggregator). kubernetes-types has no kube-aggregator types, so the
// known fields (strict decoding, pruning) are declared here from upstream's Go types.
import type { KubeObject, ResourceDef } from './resource-def.js';
import { statusSubresource } from './resource-def.js';
import { type FieldError, invalid, required } from '../status/index.js';
import { apiServiceTable } from '../tables/apiservice-table.js';

const gv = { group: 'apiregistration.k8s.io', version: 'v1' };

/** The declared fields, nested: true is a leaf; an array holds its element's shape. */
type Shape = true | { [field: string]: Shape } | [Shape];
const condition: Shape = { type: true, status: true, lastTransitionTime: true, reason: true, message: true };
const SHAPE: Shape = {
  apiVersion: true, kind: true, metadata: true,
  spec: { service: { namespace: true, name: true, port: true }, group: true, version: true, insecureSkipTLSVerify: true, caBundle: true, groupPriorityMinimum: true, versionPriority: true },
  status: { conditions: [condition] },
};

function walk(shape: Shape, v: unknown, path: string, out: string[], prune: boolean): void {
  if (shape === true || v === null || typeof v !== 'object') return;
  if (Array.isArray(shape)) { if (Array.isArray(v)) v.forEach((x, i) => walk(shape[0], x, `${path}[${i}]`, out, prune)); return; }
  if (Array.isArray(v)) return;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const p = path ? `${path}.${k}` : k;
    if (!Object.prototype.hasOwnProperty.call(shape, k)) { out.push(p); if (prune) delete o[k]; } else walk(shape[k], o[k], p, out, prune);
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** kube-aggregator's ValidateAPIService, message for message. */
export function validateAPIService(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = o.spec ?? {};
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  const wanted = `${version}.${group}`;
  if (o.metadata?.name && o.metadata.name !== wanted) errs.push(invalid('metadata.name', o.metadata.name, `must be \`spec.version+"."+spec.group\`: "${wanted}"`));
  if (!group && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group && (group.length > 253 || !DNS1123_SUBDOMAIN.test(group))) {
    errs.push(invalid('spec.group', group, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
  if (version.length > 63 || !DNS1035_LABEL.test(version)) {
    errs.push(invalid('spec.version', version, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
  }
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (!(gpm > 0 && gpm <= 20000)) errs.push(invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (!(vp > 0 && vp <= 1000)) errs.push(invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caLen = spec.caBundle ? Buffer.from(String(spec.caBundle), 'base64').length : 0;
  if (!spec.service) {
    if (caLen) errs.push(invalid('spec.caBundle', `${caLen} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const svc = spec.service;
  if (!svc.namespace) errs.push(required('spec.service.namespace', ''));
  if (!svc.name) errs.push(required('spec.service.name', ''));
  if (!(Number.isInteger(svc.port) && svc.port >= 1 && svc.port <= 65535)) errs.push(invalid('spec.service.port', svc.port, 'port is not valid: must be between 1 and 65535, inclusive'));
  if (spec.insecureSkipTLSVerify && caLen) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

export const apiservices: ResourceDef = {
  ...gv, kind: 'APIService', plural: 'apiservices', singular: 'apiservice', namespaced: false, categories: ['api-extensions'],
  storagePath: 'apiregistration.k8s.io/apiservices', hasStatus: true, nameIsPathSegment: true,
  subresources: [statusSubresource({ ...gv, kind: 'APIService' })],
  // upstream's SetDefaults_ServiceReference: port 443
  defaults: (o) => { if (o.spec?.service && o.spec.service.port === undefined) o.spec.service.port = 443; },
  prepareForCreate: (o) => { o.status = {}; },
  validate: validateAPIService, table: apiServiceTable,
  fields: {
    unknownFields: (o) => { const out: string[] = []; walk(SHAPE, o, '', out, false); return out; },
    prune: (o) => { walk(SHAPE, o, '', [], true); },
  },
};

export const apiregistrationV1: ResourceDef[] = [apiservices];
