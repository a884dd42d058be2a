/**
 * RFC 7386 JSON merge patch (application/merge-patch+json): objects merge key by key,
 * null deletes, anything else (lists included) replaces.
 */
import { newBadRequest } from '../status/index.js';
import { parseJsonBody } from './json-body.js';

/**
 * Returns a patched copy of `original` (`original` itself when `owned`: the caller gives it up);
 * 400 `Invalid JSON Patch` for an undecodable or null patch.
 */
export function applyMergePatch(original: unknown, patch: string | Buffer, owned = false): unknown {
  let parsed: unknown;
  try {
    parsed = parseJsonBody(patch);
  } catch {
    throw newBadRequest('Invalid JSON Patch');
  }
  if (parsed === null) throw newBadRequest('Invalid JSON Patch');
  return mergePatchValue(owned ? original : structuredClone(original), parsed);
}

/** The RFC 7386 MergePatch function on parsed values (mutates and returns `target`). */
export function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return dropNulls(patch);
  const out: Record<string, unknown> = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatchValue(out[k], v);
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}
