/** Patch formats the API server accepts: JSON patch, JSON merge patch, strategic merge patch. */
export * from './apply-patch.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch, mergePatchValue } from './merge-patch.js';
export { strategicMergePatch, SmpErrors, type JsonMap } from './strategic-merge-patch.js';
export { patchMetaFor, fieldMeta, type PatchField, type PatchStruct } from './patch-meta.js';
export { parseJsonBody } from './json-body.js';
export { serverSideApply, recordUpdate, BEFORE_FIRST_APPLY, type ApplyOptions, type ManagedFieldsEntry } from './server-side-apply.js';
export { FieldSet, fieldSetOf, toFieldsV1, fromFieldsV1, pathString, type FieldPath, type PathElement } from './field-set.js';
