// metadata checks every resource shares: name, namespace presence, labels, annotations.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, invalid, required } from '../status/index.js';
import { isDNS1123Label as dns1123Label, isDNS1123Subdomain as dns1123Subdomain, isValidLabelValue as labelValue, isQualifiedName as qualifiedName } from '../selectors/index.js';

/** Path-segment names (RBAC): anything but ".", ".." and names holding "/" or "%". */
function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}

export function validateObjectMeta(obj: KubeObject, opts: { namespaced: boolean; nameIsLabel?: boolean; nameIsPathSegment?: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const why of (opts.nameIsPathSegment ? pathSegmentName : opts.nameIsLabel ? dns1123Label : dns1123Subdomain)(meta.name)) errs.push(invalid('metadata.name', meta.name, why));
  if (opts.namespaced && !meta.namespace) errs.push(required('metadata.namespace'));
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    for (const why of qualifiedName(k)) errs.push(invalid('metadata.labels', k, why));
    for (const why of labelValue(String(v))) errs.push(invalid('metadata.labels', v, why));
  }
  for (const k of Object.keys(meta.annotations ?? {})) {
    for (const why of qualifiedName(k.toLowerCase())) errs.push(invalid('metadata.annotations', k, why));
  }
  return errs;
}
