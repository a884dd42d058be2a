// CustomResourceDefinition defaults and create-time preparation, as upstream: singular is
// the lower-cased kind, listKind is kind+"List", conversion is None; the storage version
// joins status.storedVersions; new CRDs get the cleanup finalizer and an empty status.
import type { KubeObject } from '../resources/resource-def.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function defaultCRD(crd: KubeObject): void {
  const spec = crd.spec ??= {};
  const names = spec.names ??= {};
  if (!names.singular && names.kind) names.singular = String(names.kind).toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) {
    v.served ??= false;
    v.storage ??= false;
  }
  const storage = (spec.versions ?? []).find((v: any) => v.storage)?.name;
  const status = crd.status ??= {};
  status.storedVersions ??= [];
  if (storage && !status.storedVersions.includes(storage)) status.storedVersions.push(storage);
}

export function prepareCRDForCreate(crd: KubeObject): void {
  crd.status = { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: [] };
  const m = crd.metadata ??= {};
  if (!(m.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) m.finalizers = [...(m.finalizers ?? []), CRD_CLEANUP_FINALIZER];
}
