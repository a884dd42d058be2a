// The ResourceDefs a CustomResourceDefinition serves (one per served version, all stored at
// /registry/GROUP/PLURAL/… in the storage version), and the OpenAPI definitions of their
// kinds. Versions convert with strategy None: only apiVersion changes.
import type { KubeObject, ResourceDef, SubresourceDef } from '../../api/resources/resource-def.js';
import { crdTable } from '../../api/tables/crd-table.js';
import { DEFINITIONS_REF, type Schema as OpenAPISchema } from '../../api/openapi/schema.js';
import { META_PACKAGE } from '../../api/openapi/definitions.js';
import { type Schema, applyDefaults, prune, validateObject } from './structural-schema.js';

const PRESERVE: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Upstream's definition name: the group reversed, then version and kind ("com.example.stable.v1.CronTab"). */
export const definitionName = (group: string, version: string, kind: string) => `${group.split('.').reverse().join('.')}.${version}.${kind}`;

export function customResourceDefs(crd: KubeObject): ResourceDef[] {
  const spec = crd.spec;
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : spec.names;
  const group: string = spec.group;
  const storage: string = spec.versions.find((v: any) => v.storage)?.name;
  const served = (spec.versions as any[]).filter((v) => v.served);
  const multi = spec.versions.length > 1;
  return served.map((v) => {
    const schema: Schema = v.schema?.openAPIV3Schema ?? PRESERVE;
    const subresources: SubresourceDef[] = [];
    if (v.subresources?.status) subresources.push({ name: 'status', group, version: v.name, kind: names.kind, verbs: ['get', 'patch', 'update'] });
    if (v.subresources?.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    const hasStatus = !!v.subresources?.status;
    const gv = `${group}/${v.name}`;
    const def: ResourceDef = {
      group, version: v.name, kind: names.kind, plural: names.plural, singular: names.singular ?? String(names.kind).toLowerCase(),
      namespaced: spec.scope === 'Namespaced', shortNames: names.shortNames?.length ? names.shortNames : undefined,
      categories: names.categories?.length ? names.categories : undefined,
      storagePath: `${group}/${names.plural}`, generation: true, hasStatus, subresources,
      prepareForCreate: hasStatus ? (o) => { delete o.status; } : undefined,
      defaults: (o) => applyDefaults(schema, o),
      validate: (o) => validateObject(schema, o),
      table: crdTable(v.additionalPrinterColumns),
      custom: {
        unknownFields: (o) => prune(schema, structuredClone(o)),
        prune: (o) => { prune(schema, o); },
        scale: v.subresources?.scale,
      },
      fields: {
        unknownFields: (o) => prune(schema, structuredClone(o)),
        prune: (o) => { prune(schema, o); },
      },
      convert: multi ? {
        fromStorage: (o) => ({ ...o, apiVersion: gv }),
        toStorage: (o) => ({ ...o, apiVersion: `${group}/${storage}` }),
      } : undefined,
    };
    return def;
  });
}

/** The OpenAPI definitions (kind and list) of each served version, for /openapi/v2 and v3. */
export function customResourceDefinitions(crd: KubeObject): Array<[string, OpenAPISchema]> {
  const spec = crd.spec;
  const kind = spec.names.kind;
  const out: Array<[string, OpenAPISchema]> = [];
  for (const v of (spec.versions as any[]).filter((x) => x.served)) {
    const schema = structuredClone(v.schema?.openAPIV3Schema ?? PRESERVE) as Record<string, any>;
    schema.properties = {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: `${DEFINITIONS_REF}${META_PACKAGE}.ObjectMeta`, description: 'Standard object\'s metadata.' },
      ...(schema.properties ?? {}),
    };
    schema.properties.metadata = { $ref: `${DEFINITIONS_REF}${META_PACKAGE}.ObjectMeta` };
    const name = definitionName(spec.group, v.name, kind);
    out.push([name, { ...schema, 'x-kubernetes-group-version-kind': [{ group: spec.group, kind, version: v.name }] } as OpenAPISchema]);
    out.push([`${name}List`, {
      description: `${kind}List is a list of ${kind}`, type: 'object', required: ['items'],
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' },
        items: { type: 'array', items: { $ref: `${DEFINITIONS_REF}${name}` } },
        metadata: { $ref: `${DEFINITIONS_REF}${META_PACKAGE}.ListMeta` },
      },
      'x-kubernetes-group-version-kind': [{ group: spec.group, kind: spec.names.listKind ?? `${kind}List`, version: v.name }],
    }]);
  }
  return out;
}
