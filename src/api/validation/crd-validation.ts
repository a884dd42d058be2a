// CustomResourceDefinition validation with upstream's messages: the name is plural.group,
// a group with a dot, a known scope, unique DNS-1035 version names with exactly one storage
// version, a structural schema per version, valid names and printer columns; group, plural
// (and, once established, scope and kind) cannot change.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, forbidden, invalid, notSupported, required } from '../status/index.js';
import { isDNS1123Subdomain } from '../selectors/name-validation.js';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Errors = (v: string): string[] => {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035.test(v)) errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  return errs;
};
const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function validateNames(names: Record<string, any>, path: string, out: FieldError[]): void {
  for (const f of ['plural', 'singular']) {
    const v = names[f];
    if (v) { const e = dns1035Errors(v); if (e.length) out.push(invalid(`${path}.${f}`, v, e.join(','))); }
  }
  for (const f of ['kind', 'listKind']) {
    const v = names[f];
    if (v) { const e = dns1035Errors(String(v).toLowerCase()); if (e.length) out.push(invalid(`${path}.${f}`, v, 'may have mixed case, but should otherwise match: ' + e.join(','))); }
  }
  (names.shortNames ?? []).forEach((s: string, i: number) => { const e = dns1035Errors(s); if (e.length) out.push(invalid(`${path}.shortNames[${i}]`, s, e.join(','))); });
  if (names.kind && names.kind === names.listKind) out.push(invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((s: string, i: number) => { const e = dns1035Errors(s); if (e.length) out.push(invalid(`${path}.categories[${i}]`, s, e.join(','))); });
}

/** Structural-schema rules that matter for serving: types everywhere, object at the root. */
function validateSchema(s: any, path: string, out: FieldError[], root: boolean): void {
  if (!s || typeof s !== 'object') return;
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (root && s.type !== 'object') {
    if (!s.type) out.push(required(`${path}.type`, 'must not be empty at the root'));
    else out.push(invalid(`${path}.type`, s.type, 'must be object at the root'));
  }
  if (s.type && !SCHEMA_TYPES.includes(s.type)) out.push(notSupported(`${path}.type`, s.type, SCHEMA_TYPES));
  for (const [k, ps] of Object.entries<any>(s.properties ?? {})) {
    const p = `${path}.properties[${k}]`;
    if (!ps?.type && !ps?.['x-kubernetes-int-or-string'] && !ps?.['x-kubernetes-preserve-unknown-fields']) out.push(required(`${p}.type`, 'must not be empty for specified object fields'));
    validateSchema(ps, p, out, false);
  }
  if (s.items) {
    if (Array.isArray(s.items)) out.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    else {
      if (!s.items.type && !s.items['x-kubernetes-int-or-string'] && !s.items['x-kubernetes-preserve-unknown-fields']) out.push(required(`${path}.items.type`, 'must not be empty for specified array items'));
      validateSchema(s.items, `${path}.items`, out, false);
    }
  } else if (s.type === 'array' && !preserve) out.push(required(`${path}.items`, 'must be specified'));
  if (typeof s.additionalProperties === 'object') validateSchema(s.additionalProperties, `${path}.additionalProperties`, out, false);
  if (s.additionalProperties !== undefined && s.properties) out.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  if (intOrString && s.type) out.push(invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
}

export function validateCRD(crd: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const name = crd.metadata?.name ?? '';
  if (name !== `${names.plural ?? ''}.${spec.group ?? ''}`) out.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) out.push(required('spec.group'));
  else if (isDNS1123Subdomain(spec.group).length) out.push(invalid('spec.group', spec.group, isDNS1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2) out.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (!spec.scope) out.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') out.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) out.push(invalid('spec.versions', [], 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  let storage = 0;
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const e = dns1035Errors(String(v.name ?? ''));
    if (e.length) out.push(invalid(`${p}.name`, v.name ?? '', e.join(',')));
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) out.push(required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else validateSchema(schema, `${p}.schema.openAPIV3Schema`, out, true);
    (v.additionalPrinterColumns ?? []).forEach((c: any, j: number) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(required(`${cp}.name`));
      if (!c.type) out.push(required(`${cp}.type`, `must be one of ${PRINTER_TYPES.join(',')}`));
      else if (!PRINTER_TYPES.includes(c.type)) out.push(notSupported(`${cp}.type`, c.type, PRINTER_TYPES));
      if (!c.jsonPath) out.push(required(`${cp}.JSONPath`));
    });
    const scale = v.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) out.push(required(`${p}.subresources.scale.specReplicasPath`));
      else if (!String(scale.specReplicasPath).startsWith('.spec.')) out.push(invalid(`${p}.subresources.scale.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
      if (!scale.statusReplicasPath) out.push(required(`${p}.subresources.scale.statusReplicasPath`));
      else if (!String(scale.statusReplicasPath).startsWith('.status.')) out.push(invalid(`${p}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    }
  });
  if (!unique) out.push(invalid('spec.versions', spec.versions, 'must contain unique version names'));
  if (versions.length && storage !== 1) out.push(invalid('spec.versions', spec.versions, 'must have exactly one version marked as storage version'));
  if (!names.plural) out.push(required('spec.names.plural'));
  if (!names.singular) out.push(required('spec.names.singular'));
  if (!names.kind) out.push(required('spec.names.kind'));
  if (!names.listKind) out.push(required('spec.names.listKind'));
  validateNames(names, 'spec.names', out);
  const conv = spec.conversion?.strategy;
  if (conv && conv !== 'None' && conv !== 'Webhook') out.push(notSupported('spec.conversion.strategy', conv, ['None', 'Webhook']));
  if (old) {
    const immutable = (path: string, a: unknown, b: unknown) => { if (a !== b) out.push(invalid(path, a, 'field is immutable')); };
    immutable('spec.group', spec.group, old.spec?.group);
    immutable('spec.names.plural', names.plural, old.spec?.names?.plural);
    const established = (old.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
    if (established) { immutable('spec.scope', spec.scope, old.spec?.scope); immutable('spec.names.kind', names.kind, old.spec?.names?.kind); }
  }
  const stored: string[] = crd.status?.storedVersions ?? [];
  if (old || stored.length) {
    for (const sv of stored) {
      if (!versions.some((v) => v.name === sv)) {
        out.push(invalid(`status.storedVersions[${stored.indexOf(sv)}]`, sv, `missing from spec.versions; ${sv} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${sv} and removes ${sv} from status.storedVersions`));
      }
    }
  }
  return out;
}
