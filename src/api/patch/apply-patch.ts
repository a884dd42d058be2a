/**
 * One entry point for the PATCH verb: picks the patch format from the Content-Type and
 * returns the patched object. Server-side apply (application/apply-patch+yaml) needs
 * the field manager and lives in server-side-apply.ts.
 */
import { newBadRequest, newUnsupportedMediaType } from '../status/index.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { parseJsonBody } from './json-body.js';
import { strategicMergePatch, type JsonMap } from './strategic-merge-patch.js';
import { patchMetaFor } from './patch-meta.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** Patch types in the order upstream lists them in its 415 message for built-in kinds. */
export const PATCH_CONTENT_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const;

export interface GroupVersionKind { group: string; version: string; kind: string }

/** The media type without parameters, lower-cased (`application/json-patch+json; charset=utf-8`). */
export function patchMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Applies a JSON, merge or strategic merge patch to a copy of `original`. Throws an
 * ApiError (400/413/415/422/500) in upstream's shape; `original` is never modified unless
 * `owned` (the caller gives it up: no copy is made, and it may be left half patched on error).
 * Pass `strategic: false` for kinds without strategic-merge support (custom resources).
 */
export function applyPatch(kind: GroupVersionKind, original: object, patch: string | Buffer, contentType: string,
  opts: { strategic?: boolean; owned?: boolean } = {}): object {
  const owned = opts.owned ?? false;
  const type = patchMediaType(contentType);
  const strategic = opts.strategic ?? true;
  switch (type) {
    case JSON_PATCH:
      return asObject(applyJsonPatch(original, patch, owned));
    case MERGE_PATCH:
      return asObject(applyMergePatch(original, patch, owned));
    case STRATEGIC_MERGE_PATCH: {
      if (!strategic) break;
      const parsed = parseJsonBody(patch);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        const t = Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed;
        throw newBadRequest(`json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
      }
      // The patch was parsed just now: it is this call's own.
      return strategicMergePatch(original as JsonMap, parsed as JsonMap, patchMetaFor(kind), { original: owned, patch: true });
    }
  }
  const accepted = strategic ? PATCH_CONTENT_TYPES : PATCH_CONTENT_TYPES.filter((t) => t !== STRATEGIC_MERGE_PATCH);
  throw newUnsupportedMediaType(accepted);
}

function asObject(v: unknown): object {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw newBadRequest('the patched document is not a JSON object');
  }
  return v;
}
