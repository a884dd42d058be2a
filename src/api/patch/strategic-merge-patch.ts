/**
 * Strategic merge patch, applied the way the API server applies it (upstream's
 * strategicpatch.StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls):
 * merge lists by merge key, `$patch: replace|delete`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, null deletes a field.
 * kubectl computes three-way patches itself; the server only applies them.
 */
import { ApiError, newBadRequest, newGenericUnprocessable, newUnclassified } from '../status/index.js';
import { fieldMeta, type PatchStruct } from './patch-meta.js';

type Json = null | boolean | number | string | Json[] | JsonMap;
export type JsonMap = { [k: string]: Json };

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

/** Upstream's mergepatch error texts; the first group are 400s, the second 422s. */
export const SmpErrors = {
  badPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  badPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  badPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
  noListOfLists: 'lists of lists are not supported',
  patchContentNotMatchRetainKeys: "patch content doesn't match retainKeys list",
} as const;

const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'slice' : typeof v === 'object' ? 'map' : typeof v);

/** Go's %v of a value, for the few messages that print one. */
function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map(goFormat).join(' ') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return 'map[' + keys.map((k) => `${k}:${goFormat((v as JsonMap)[k])}`).join(' ') + ']';
  }
  return String(v);
}

const errNoMergeKey = (m: JsonMap, key: string): ApiError =>
  newUnclassified(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: JsonMap): ApiError => newUnclassified(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
const bad = (msg: string): ApiError => newBadRequest(msg);

/**
 * Applies `patch` to `original` (neither is modified) using the metadata `schema` of
 * the object's kind. Throws ApiError: 400 for malformed directives, 422 for content
 * that contradicts its directives, 500 (no reason) for a list element missing its merge key.
 */
export function strategicMergePatch(original: JsonMap, patch: JsonMap, schema: PatchStruct, owned: { original?: boolean; patch?: boolean } = {}): JsonMap {
  // Both are modified while merging: copies, unless the caller gave them up.
  return mergeMap(owned.original ? original : structuredClone(original), owned.patch ? patch : structuredClone(patch), schema);
}

function mergeMap(original: JsonMap | null, patch: JsonMap, schema: PatchStruct | undefined): JsonMap {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return stripNullsAndDirectives(patch) as JsonMap;
    }
    if (d === 'delete') return {};
    throw errBadPatchType(d, patch);
  }
  const orig: JsonMap = original ?? {};
  applyRetainKeys(orig, patch);
  mergeOrderedLists(orig, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    let key = rawKey;
    const patchV = patch[rawKey];
    let isDeleteList = false;
    if (rawKey.startsWith(SET_ELEMENT_ORDER)) continue; // consumed by mergeOrderedLists
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[key];
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(orig, key) || kindOf(orig[key]) !== kindOf(patchV)) {
      const deletesItself = isMap(patchV) && patchV[DIRECTIVE] === 'delete';
      if (!isDeleteList && !deletesItself) orig[key] = stripNullsAndDirectives(patchV);
      continue;
    }
    const meta = fieldMeta(schema, key);
    if (isMap(orig[key])) {
      orig[key] = meta.strategy === 'replace' ? stripNullsAndDirectives(patchV) : mergeMap(orig[key] as JsonMap, patchV as JsonMap, meta.fields);
    } else if (Array.isArray(orig[key])) {
      orig[key] = meta.strategy === 'merge' || isDeleteList
        ? mergeSlice(orig[key] as Json[], patchV as Json[], meta.fields, meta.mergeKey ?? '', isDeleteList)
        : stripNullsAndDirectives(patchV);
    } else {
      orig[key] = patchV;
    }
  }
  return orig;
}

/** `$retainKeys: [..]` drops every original field not listed; the patch may only touch listed fields. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw bad(SmpErrors.badPatchFormatForRetainKeys);
  const keep = new Set(list.map((v) => String(v)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw bad(SmpErrors.badPatchFormatForRetainKeys);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Handles each `$setElementOrder/<field>` with its list: merge, then order as the directive says. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchStruct | undefined): void {
  for (const dkey of Object.keys(patch)) {
    if (!dkey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[dkey];
    delete patch[dkey];
    if (!Array.isArray(order)) throw bad(SmpErrors.badPatchFormatForSetElementOrderList);
    const key = dkey.slice(SET_ELEMENT_ORDER.length);
    const meta = fieldMeta(schema, key);
    const mergeKey = meta.mergeKey ?? '';
    const hasOrig = Object.prototype.hasOwnProperty.call(original, key);
    const hasPatch = Object.prototype.hasOwnProperty.call(patch, key);
    const origList = hasOrig ? original[key] : undefined;
    const patchList = hasPatch ? patch[key] : undefined;
    if (hasOrig && !Array.isArray(origList)) throw bad(SmpErrors.badPatchFormatForSetElementOrderList);
    if (hasPatch && !Array.isArray(patchList)) throw bad(SmpErrors.badPatchFormatForSetElementOrderList);
    validatePatchAgainstOrder((patchList as Json[] | undefined) ?? [], order, mergeKey);
    let merged: Json[];
    if (hasOrig && !hasPatch) merged = origList as Json[];
    else if (!hasOrig && hasPatch) merged = stripNullsAndDirectives(patchList!) as Json[];
    else if (hasOrig && hasPatch) {
      merged = meta.strategy === 'merge'
        ? mergeSlice(origList as Json[], patchList as Json[], meta.fields, mergeKey, false)
        : stripNullsAndDirectives(patchList!) as Json[];
    } else continue;
    const inOrder = (item: Json): boolean => indexIn(order, item, mergeKey) >= 0;
    const patchItems = merged.filter(inOrder);
    const serverOnly = merged.filter((i) => !inOrder(i));
    original[key] = normalizeOrder(patchItems, serverOnly, order, (origList as Json[] | undefined) ?? [], mergeKey);
    delete patch[key];
  }
}

/** The patch list's non-directive elements must appear in the order list in the same relative order. */
function validatePatchAgainstOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  const items = patchList.filter((i) => !(isMap(i) && Object.prototype.hasOwnProperty.call(i, DIRECTIVE)));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (sameElement(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw bad(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`);
  }
}

function mergeSlice(original: Json[], patch: Json[], schema: PatchStruct | undefined, mergeKey: string, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  if (all.some(Array.isArray)) throw newGenericUnprocessable(); // lists of lists are not supported
  const ofMaps = all.some(isMap);
  let merged: Json[];
  let orig = original;
  let pat = patch;
  if (!ofMaps) {
    if (isDeleteList) {
      const drop = new Set(patch.map((v) => JSON.stringify(v)));
      return original.filter((v) => !drop.has(JSON.stringify(v)));
    }
    merged = dedupe(all);
  } else {
    if (!mergeKey) throw newUnclassified('cannot merge lists without merge key');
    [orig, pat] = applyListDirectives(original, patch, mergeKey);
    merged = [...orig];
    for (const item of pat) {
      const m = item as JsonMap;
      if (!Object.prototype.hasOwnProperty.call(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const at = merged.findIndex((o) => isMap(o) && jsonEqual(o[mergeKey], m[mergeKey]));
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, m, schema);
      else merged.push(stripNullsAndDirectives(m));
    }
  }
  const inPatch = (i: Json): boolean => indexIn(pat, i, ofMaps ? mergeKey : '') >= 0;
  return normalizeOrder(merged.filter(inPatch), merged.filter((i) => !inPatch(i)), pat, orig, ofMaps ? mergeKey : '');
}

/** Applies `{$patch: delete, key: v}` and `{$patch: replace}` elements; returns the new original and plain patch items. */
function applyListDirectives(original: Json[], patch: Json[], mergeKey: string): [Json[], Json[]] {
  let orig = original;
  const plain: Json[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isMap(item)) throw newUnclassified(`expected map[string]interface {}, but got ${typeof item}`);
    if (!Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) { plain.push(item); continue; }
    const d = item[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      orig = orig.filter((o) => !(isMap(o) && jsonEqual(o[mergeKey], item[mergeKey])));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw newUnclassified('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(d, item);
    }
  }
  return replace ? [plain.map(stripNullsAndDirectives), []] : [orig, plain];
}

/**
 * Patch items keep the patch's (or $setElementOrder's) order, server-only items keep
 * the live order, and the two are interleaved using the live order where both are known.
 */
function normalizeOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string): Json[] {
  const byOrder = (list: Json[], order: Json[]): Json[] => list
    .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
    .sort((a, b) => (a.at < 0 ? Infinity : a.at) - (b.at < 0 ? Infinity : b.at) || a.i - b.i)
    .map((x) => x.item);
  const right = byOrder(patchItems, patchOrder);
  const left = byOrder(serverOnly, serverOrder);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function indexIn(list: Json[], item: Json, mergeKey: string): number {
  return list.findIndex((x) => sameElement(x, item, mergeKey));
}

function sameElement(a: Json, b: Json, mergeKey: string): boolean {
  if (!mergeKey) return jsonEqual(a, b);
  return isMap(a) && isMap(b) && Object.prototype.hasOwnProperty.call(a, mergeKey) && jsonEqual(a[mergeKey], b[mergeKey]);
}

function dedupe(list: Json[]): Json[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as JsonMap)[k], (b as JsonMap)[k]));
}

/** New values from a patch carry neither nulls (nothing to delete) nor directives. */
function stripNullsAndDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.filter((x) => !(isMap(x) && x[DIRECTIVE] === 'delete')).map(stripNullsAndDirectives);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    out[k] = stripNullsAndDirectives(x);
  }
  return out;
}
