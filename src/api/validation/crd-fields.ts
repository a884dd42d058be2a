// Unknown fields of a CustomResourceDefinition: the generated field tree does not know the
// x-kubernetes-* extensions of JSONSchemaProps, so openAPIV3Schema subtrees are checked
// without them and are never pruned (they are free-form JSON schema).
import type { KubeObject } from '../resources/resource-def.js';
import { pruneUnknownFields, unknownFields } from './known-fields.js';

const KIND = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' };

export function crdUnknownFields(crd: KubeObject): string[] {
  return unknownFields(KIND, crd).filter((p) => !(p.includes('.openAPIV3Schema') && /(^|\.)x-kubernetes-[\w-]+$/.test(p)));
}

export function pruneCRD(crd: KubeObject): void {
  const versions: any[] = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  const kept = versions.map((v) => structuredClone(v?.schema?.openAPIV3Schema));
  pruneUnknownFields(KIND, crd);
  versions.forEach((v, i) => { if (kept[i] !== undefined && v?.schema) v.schema.openAPIV3Schema = kept[i]; });
}
