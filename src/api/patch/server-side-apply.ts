/**
 * Server-side apply (application/apply-patch+yaml) and field ownership: merges an
 * applied configuration into the live object, records per-manager field sets in
 * metadata.managedFields (FieldsV1), reports conflicts with other managers as 409
 * (or takes the fields over with force), and removes fields the manager stopped applying.
 */
import { newApplyConflict, goQuote } from '../status/index.js';
import { fieldMeta, patchMetaFor, type PatchField, type PatchStruct } from './patch-meta.js';
import { FieldSet, fieldSetOf, fieldValuesOf, fieldsV1Of, fromFieldsV1, itemKey, pathString, toFieldsV1, type FieldPath } from './field-set.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ApplyOptions {
  /** fieldManager query parameter (required for apply). */
  manager: string;
  /** `group/version` or `v1` of the request. */
  apiVersion: string;
  force?: boolean;
  /** RFC 3339 time for the managedFields entry. */
  now: string;
  subresource?: string;
  /** Track `.status` too (false for resources with a status subresource). */
  includeStatus?: boolean;
}

type Obj = Record<string, any>;
const isMap = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Manager name used for objects that existed before anyone applied them. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

/**
 * Applies `applied` over `live` (undefined when creating) for `opts.manager`; returns
 * the new object with managedFields updated. Throws 409 Conflict listing the fields
 * other managers own with different values, unless `opts.force`.
 */
export function serverSideApply(kind: { group: string; kind: string }, live: Obj | undefined, applied: Obj, opts: ApplyOptions): Obj {
  const schema = patchMetaFor(kind);
  const ignoreStatus = !opts.includeStatus;
  const base: Obj = structuredClone(live ?? {});
  const entries = currentEntries(base, schema, ignoreStatus, opts);
  const appliedSet = fieldSetOf(applied, schema, ignoreStatus);
  const self = entries.findIndex((e) => isSelf(e, opts, 'Apply'));
  const previous = self >= 0 ? fromFieldsV1(entries[self].fieldsV1) : new FieldSet();

  // Conflicts: fields another manager owns whose live value the apply would change.
  const conflicts: { entry: ManagedFieldsEntry; path: FieldPath }[] = [];
  for (const e of entries) {
    if (isSelf(e, opts, 'Apply')) continue;
    const owned = fromFieldsV1(e.fieldsV1);
    for (const p of appliedSet.paths()) {
      // A keyed item is a member only for its presence; its fields are compared one by one.
      if (!owned.has(p) || 'key' in p[p.length - 1]) continue;
      const lv = valueAt(base, p);
      if (lv.found && !deepEqual(lv.value, valueAt(applied, p).value)) conflicts.push({ entry: e, path: p });
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts);

  let result = mergeApplied(base, applied, schema);
  // Fields this manager applied before, no longer applies, and nobody else owns go away.
  const others = entries.filter((e) => !isSelf(e, opts, 'Apply')).reduce((s, e) => s.union(fromFieldsV1(e.fieldsV1)), new FieldSet());
  const dropped = previous.minus(appliedSet).minus(others).paths().sort((a, b) => a.length - b.length);
  for (const p of dropped) result = removeAt(result, p);

  const updated: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (isSelf(e, opts, 'Apply')) continue;
    let owned = fromFieldsV1(e.fieldsV1);
    if (opts.force) owned = owned.minus(FieldSet.of(conflicts.filter((c) => c.entry === e).map((c) => c.path)));
    if (owned.size) updated.push({ ...e, fieldsV1: toFieldsV1(owned) });
  }
  const mine = makeEntry(opts, 'Apply', appliedSet);
  if (self >= 0) updated.splice(Math.min(self, updated.length), 0, mine);
  else updated.push(mine);
  result.metadata = { ...(result.metadata ?? {}), managedFields: updated };
  return result;
}

/**
 * Records a non-apply write (create, update, patch) by `opts.manager`: the fields it
 * added or changed become its own and leave other managers; removed fields leave everyone.
 */
export function recordUpdate(kind: { group: string; kind: string }, before: Obj | undefined, after: Obj, opts: ApplyOptions): Obj {
  const schema = patchMetaFor(kind);
  const ignoreStatus = !opts.includeStatus && !opts.subresource;
  if (!before) return recordCreate(schema, after, opts, ignoreStatus);
  // Only the result's metadata is replaced below, and neither input is modified: no deep copies.
  const result: Obj = { ...after };
  const entries = before ? currentEntries(before, schema, ignoreStatus, opts) : [];
  // One walk of each side gives every member path with its value: changed are the new ones and
  // those whose value differs, removed the old ones that are gone.
  // Parts equal on both sides change no field: only what differs is walked (a status write
  // leaves a pod's spec out of both walks).
  const [oldPart, newPart] = differingParts(before, after, schema);
  const oldValues = fieldValuesOf(oldPart, schema, ignoreStatus);
  const newValues = fieldValuesOf(newPart, schema, ignoreStatus);
  const changed = new FieldSet();
  for (const [k, now] of newValues) {
    const was = oldValues.get(k);
    if (!was || !deepEqual(was.value, now.value)) changed.addKeyed(k, now.path);
  }
  const removed = new FieldSet();
  for (const [k, was] of oldValues) if (!newValues.has(k)) removed.addKeyed(k, was.path);
  // A write that changes nothing leaves every entry (and its time) as it was, as upstream does.
  if (before && changed.size === 0 && removed.size === 0) {
    result.metadata = { ...(result.metadata ?? {}) };
    if (before.metadata?.managedFields) result.metadata.managedFields = before.metadata.managedFields;
    else delete result.metadata.managedFields;
    return result;
  }
  const updated: ManagedFieldsEntry[] = [];
  let selfAt = -1;
  let mine = new FieldSet();
  for (const e of entries) {
    if (isSelf(e, opts, 'Update')) { selfAt = updated.length; mine = fromFieldsV1(e.fieldsV1); continue; }
    const had = fromFieldsV1(e.fieldsV1);
    // An entry the write took nothing from stays as it is (no re-encoding).
    if (!had.meets(changed) && !had.meets(removed)) { if (had.size) updated.push({ ...e }); continue; }
    const owned = had.minus(changed).minus(removed);
    if (owned.size) updated.push({ ...e, fieldsV1: toFieldsV1(owned) });
  }
  mine = mine.union(changed).minus(removed);
  if (mine.size) {
    const entry = makeEntry(opts, 'Update', mine);
    if (selfAt >= 0) updated.splice(selfAt, 0, entry);
    else updated.push(entry);
  }
  result.metadata = { ...(result.metadata ?? {}) };
  if (updated.length) result.metadata.managedFields = updated;
  else delete result.metadata.managedFields;
  return result;
}

const isPlainMap = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasNonNull = (m: Obj) => { for (const k in m) if (m[k] !== null) return true; return false; };

/**
 * before and after without the members that are equal in both, for fieldValuesOf: a member's
 * paths come from its own value alone, so equal members yield equal paths and values on both
 * sides and no change. Top-level members are dropped whole; inside a top-level struct
 * (spec, status) equal members are dropped, but each side keeps a non-null member (a struct
 * left empty would be reported as a path of its own): an equal one on both sides when
 * needed. metadata is walked as it is.
 */
function differingParts(before: Obj, after: Obj, schema: PatchStruct): [Obj, Obj] {
  const b: Obj = {};
  const a: Obj = {};
  for (const k of Object.keys(after)) {
    const now = after[k];
    if (!Object.prototype.hasOwnProperty.call(before, k)) { a[k] = now; continue; }
    const was = before[k];
    if (deepEqual(was, now)) continue;
    if (k === 'metadata' || fieldMeta(schema, k).atomic || !isPlainMap(was) || !isPlainMap(now)) { a[k] = now; b[k] = was; continue; }
    const wasPart: Obj = {};
    const nowPart: Obj = {};
    let witness: string | undefined;
    for (const j of Object.keys(now)) {
      if (!Object.prototype.hasOwnProperty.call(was, j) || !deepEqual(was[j], now[j])) nowPart[j] = now[j];
      else if (now[j] !== null && (witness === undefined || typeof now[witness] === 'object')) witness = j;
    }
    for (const j of Object.keys(was)) if (!Object.prototype.hasOwnProperty.call(now, j) || !deepEqual(was[j], now[j])) wasPart[j] = was[j];
    // A side left without members keeps one equal member (on both sides: it changes nothing).
    if (witness !== undefined && (!hasNonNull(wasPart) || !hasNonNull(nowPart))) { wasPart[witness] = was[witness]; nowPart[witness] = now[witness]; }
    const keep = hasNonNull(wasPart) && hasNonNull(nowPart);
    a[k] = keep ? nowPart : now;
    b[k] = keep ? wasPart : was;
  }
  for (const k of Object.keys(before)) if (!Object.prototype.hasOwnProperty.call(after, k)) b[k] = before[k];
  return [b, a];
}

/**
 * recordUpdate of a create: every field is the creator's, so its entry is the object's own
 * field tree, built in one walk. The result shares all but its metadata with `after`, which
 * the caller gives up.
 */
function recordCreate(schema: PatchStruct, after: Obj, opts: ApplyOptions, ignoreStatus: boolean): Obj {
  const result: Obj = { ...after, metadata: { ...(after.metadata ?? {}) } };
  const fields = fieldsV1Of(after, schema, ignoreStatus);
  if (!fields) { delete result.metadata!.managedFields; return result; }
  const e: ManagedFieldsEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, time: opts.now, fieldsType: 'FieldsV1', fieldsV1: fields };
  if (opts.subresource) e.subresource = opts.subresource;
  result.metadata!.managedFields = [e];
  return result;
}

function isSelf(e: ManagedFieldsEntry, opts: ApplyOptions, op: 'Apply' | 'Update'): boolean {
  return e.manager === opts.manager && e.operation === op && (e.subresource ?? '') === (opts.subresource ?? '');
}

function makeEntry(opts: ApplyOptions, operation: 'Apply' | 'Update', set: FieldSet): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager: opts.manager, operation, apiVersion: opts.apiVersion, time: opts.now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set) };
  if (opts.subresource) e.subresource = opts.subresource;
  return e;
}

/** The live entries; an existing object nobody tracked yet belongs to `before-first-apply`. */
function currentEntries(live: Obj, schema: PatchStruct, ignoreStatus: boolean, opts: ApplyOptions): ManagedFieldsEntry[] {
  const list = live.metadata?.managedFields;
  if (Array.isArray(list) && list.length) return list as ManagedFieldsEntry[];
  if (!live.metadata) return [];
  const all = fieldSetOf(live, schema, ignoreStatus);
  if (!all.size) return [];
  return [{ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: opts.apiVersion, time: opts.now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(all) }];
}

/** `conflict with "kubectl" using apps/v1 at <time>` as upstream prints a manager. */
function managerText(e: ManagedFieldsEntry): string {
  let s = goQuote(e.manager);
  if (e.subresource) s += ` with subresource ${goQuote(e.subresource)}`;
  if (e.operation === 'Update') s += e.time ? ` using ${e.apiVersion} at ${e.time}` : ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { entry: ManagedFieldsEntry; path: FieldPath }[]) {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerText(c.entry)}`, field: pathString(c.path) }));
  if (conflicts.length === 1) {
    return newApplyConflict(causes, `Apply failed with 1 conflict: conflict with ${managerText(conflicts[0].entry)}: ${pathString(conflicts[0].path)}`);
  }
  const byManager = new Map<string, { text: string; paths: string[] }>();
  for (const c of conflicts) {
    const key = JSON.stringify([c.entry.manager, c.entry.operation, c.entry.subresource ?? '', c.entry.apiVersion]);
    const g = byManager.get(key) ?? { text: managerText(c.entry), paths: [] };
    g.paths.push(pathString(c.path));
    byManager.set(key, g);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    const g = byManager.get(key)!;
    lines.push(`conflicts with ${g.text}:`, ...g.paths.map((p) => `- ${p}`));
  }
  return newApplyConflict(causes, `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`);
}

/** Structured merge: maps merge, keyed lists merge by key, sets union, everything else is replaced. */
function mergeApplied(live: unknown, applied: unknown, schema: PatchStruct | undefined, meta: PatchField = {}): any {
  if (meta.atomic) return structuredClone(applied);
  if (isMap(live) && isMap(applied)) {
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) continue;
      const m = fieldMeta(schema, k);
      out[k] = mergeApplied(live[k], v, m.fields, m);
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    if (meta.listType === 'set') return [...live, ...applied.filter((x) => !live.some((y) => deepEqual(x, y)))];
    if (meta.listType === 'map' && meta.listMapKeys) {
      const keys = meta.listMapKeys;
      const out = [...live];
      for (const item of applied) {
        if (!isMap(item)) continue;
        const at = out.findIndex((x) => isMap(x) && sameKey(x, item, keys));
        if (at >= 0) out[at] = mergeApplied(out[at], item, schema);
        else out.push(stripNulls(item));
      }
      return out;
    }
  }
  return stripNulls(applied);
}

function sameKey(a: Obj, b: Obj, keys: readonly string[]): boolean {
  return deepEqual(itemKey(a, keys), itemKey(b, keys));
}

/** Walks one path; `found` is false when any step is missing. */
function valueAt(obj: unknown, path: FieldPath): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const e of path) {
    if ('field' in e) {
      if (!isMap(cur) || !(e.field in cur)) return { found: false, value: undefined };
      cur = cur[e.field];
    } else if ('key' in e) {
      if (!Array.isArray(cur)) return { found: false, value: undefined };
      const item = cur.find((x) => isMap(x) && deepEqual(itemKey(x, Object.keys(e.key)), e.key));
      if (item === undefined) return { found: false, value: undefined };
      cur = item;
    } else if ('value' in e) {
      if (!Array.isArray(cur) || !cur.some((x) => deepEqual(x, e.value))) return { found: false, value: undefined };
      cur = e.value;
    } else {
      if (!Array.isArray(cur) || e.index >= cur.length) return { found: false, value: undefined };
      cur = cur[e.index];
    }
  }
  return { found: true, value: cur };
}

/** Returns `obj` without the field, list item or set value at `path` (and without maps emptied by it). */
function removeAt(obj: Obj, path: FieldPath): Obj {
  const rec = (cur: unknown, i: number): unknown => {
    const e = path[i];
    const last = i === path.length - 1;
    if ('field' in e) {
      if (!isMap(cur) || !(e.field in cur)) return cur;
      const out: Obj = { ...cur };
      if (last) delete out[e.field];
      else {
        // Remove the field itself when its last item or key went.
        out[e.field] = rec(cur[e.field], i + 1);
        if (emptied(cur[e.field], out[e.field])) delete out[e.field];
      }
      return out;
    }
    if (!Array.isArray(cur)) return cur;
    const match = (x: unknown, idx: number): boolean => ('key' in e ? isMap(x) && deepEqual(itemKey(x, Object.keys(e.key)), e.key)
      : 'value' in e ? deepEqual(x, e.value) : idx === e.index);
    if (last) return cur.filter((x, idx) => !match(x, idx));
    return cur.map((x, idx) => (match(x, idx) ? rec(x, i + 1) : x));
  };
  return rec(obj, 0) as Obj;
}

/** True when a removal turned a non-empty map or list into an empty one. */
function emptied(before: unknown, after: unknown): boolean {
  const size = (v: unknown): number => (Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : -1);
  return size(after) === 0 && size(before) > 0;
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isMap(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}
