/**
 * Field sets for server-side apply: the paths a manager owns, their FieldsV1 encoding
 * (`f:spec`, `k:{"name":"x"}`, `v:"a"`, `.`) and upstream's path text
 * (`.spec.containers[name="x"].image`).
 */
import { fieldMeta, type PatchStruct } from './patch-meta.js';

export type PathElement =
  | { field: string }
  | { key: Record<string, unknown> }
  | { value: unknown }
  | { index: number };
export type FieldPath = PathElement[];

/** A set of paths, keyed by their FieldsV1 spelling joined with NUL. */
export class FieldSet {
  private readonly members = new Map<string, FieldPath>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.add(p);
    return s;
  }

  add(p: FieldPath): void { this.members.set(pathKey(p), p); }
  /** add() with the key already spelled (a walk that builds it as it goes). */
  addKeyed(key: string, p: FieldPath): void { this.members.set(key, p); }
  has(p: FieldPath): boolean { return this.members.has(pathKey(p)); }
  hasKey(key: string): boolean { return this.members.has(key); }
  delete(p: FieldPath): void { this.members.delete(pathKey(p)); }
  get size(): number { return this.members.size; }
  paths(): FieldPath[] { return [...this.members.values()]; }
  /** [key, path] pairs, in insertion order. */
  entries(): IterableIterator<[string, FieldPath]> { return this.members.entries(); }
  // union and minus reuse the members' keys: no path is spelled again.
  union(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, p] of this.members) s.members.set(k, p);
    for (const [k, p] of o.members) s.members.set(k, p);
    return s;
  }
  minus(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, p] of this.members) if (!o.members.has(k)) s.members.set(k, p);
    return s;
  }
  /** Whether any member is also one of o's. */
  meets(o: FieldSet): boolean {
    const [small, large] = this.size <= o.size ? [this, o] : [o, this];
    for (const k of small.members.keys()) if (large.members.has(k)) return true;
    return false;
  }
}

const sortedKeys = (m: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));

/**
 * `f:NAME` for a field name, the same string every time: FieldsV1 trees use these as object keys,
 * and a key V8 has seen before needs no hashing into its string table again (a fresh template
 * string on every field of every write did). Bounded: field names under maps are user data.
 */
const fieldTexts = new Map<string, string>();
export function fieldText(name: string): string {
  let t = fieldTexts.get(name);
  if (t === undefined) {
    t = `f:${name}`;
    if (fieldTexts.size < 20000) fieldTexts.set(name, t);
  }
  return t;
}

/** Spellings of key and value elements, made once per element (paths share their elements). */
const spelled = new WeakMap<PathElement, string>();

/** One element as FieldsV1 spells it. */
export function elementText(e: PathElement): string {
  if ('field' in e) return fieldText(e.field);
  if ('index' in e) return `i:${e.index}`;
  let t = spelled.get(e);
  if (t === undefined) {
    t = 'key' in e ? `k:${JSON.stringify(sortedKeys(e.key))}` : `v:${JSON.stringify(e.value)}`;
    spelled.set(e, t);
  }
  return t;
}

const pathKey = (p: FieldPath): string => p.map(elementText).join('\0');

/** `.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`. */
export function pathString(p: FieldPath): string {
  return p.map((e) => {
    if ('field' in e) return `.${e.field}`;
    if ('key' in e) return `[${Object.entries(sortedKeys(e.key)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    if ('value' in e) return `[=${JSON.stringify(e.value)}]`;
    return `[${e.index}]`;
  }).join('');
}

/** A FieldsV1 tree under construction: each node is a path; members are the set's paths. */
interface TreeNode { member: boolean; children: Map<string, TreeNode> }
const newNode = (): TreeNode => ({ member: false, children: new Map() });
function childOf(node: TreeNode, text: string): TreeNode {
  let next = node.children.get(text);
  if (!next) node.children.set(text, (next = newNode()));
  return next;
}

/** A tree as FieldsV1: a member with children carries ".", a leaf is {}; keys sorted. */
function encodeTree(node: TreeNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.member && node.children.size) out['.'] = {};
  if (node.children.size === 1) for (const [k, child] of node.children) out[k] = encodeTree(child);
  else for (const k of [...node.children.keys()].sort()) out[k] = encodeTree(node.children.get(k)!);
  return out;
}

/** Encodes a set as a FieldsV1 object: a member with children carries ".", a leaf is {}. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root = newNode();
  for (const p of set.paths()) {
    let node = root;
    for (const e of p) node = childOf(node, elementText(e));
    node.member = true;
  }
  return encodeTree(root);
}

/** Decodes a FieldsV1 object into a set. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: Record<string, unknown>, prefix: FieldPath): void => {
    const children = Object.keys(node).filter((k) => k !== '.');
    if (prefix.length && (children.length === 0 || '.' in node)) set.add(prefix);
    for (const k of children) {
      const e = parseElement(k);
      if (e) walk((node[k] ?? {}) as Record<string, unknown>, [...prefix, e]);
    }
  };
  if (fields && typeof fields === 'object') walk(fields as Record<string, unknown>, []);
  return set;
}

function parseElement(text: string): PathElement | undefined {
  const body = text.slice(2);
  try {
    switch (text.slice(0, 2)) {
      case 'f:': return { field: body };
      case 'k:': return { key: JSON.parse(body) };
      case 'v:': return { value: JSON.parse(body) };
      case 'i:': return { index: Number(body) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Metadata fields no manager owns (upstream strips them before tracking). */
const strippedMeta = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'resourceVersion', 'generation', 'managedFields']);

/** Called for each member path of an object: its FieldsV1 key (elements joined by NUL), the path, the value there. */
type Visit = (key: string, path: FieldPath, value: unknown) => void;

/**
 * The leaf paths of an object, with list items of keyed lists as members too.
 * `ignoreStatus` leaves out `.status` (resources with a status subresource).
 */
export function fieldSetOf(obj: unknown, schema: PatchStruct, ignoreStatus = true): FieldSet {
  const set = new FieldSet();
  walkObject(obj, schema, ignoreStatus, (key, path) => set.addKeyed(key, path));
  return set;
}

/**
 * fieldSetOf's paths with the value at each (the first item of a keyed list where keys repeat),
 * by key: what recordUpdate compares, without looking each path up again.
 */
export function fieldValuesOf(obj: unknown, schema: PatchStruct, ignoreStatus = true): Map<string, { path: FieldPath; value: unknown }> {
  const out = new Map<string, { path: FieldPath; value: unknown }>();
  walkObject(obj, schema, ignoreStatus, (key, path, value) => { if (!out.has(key)) out.set(key, { path, value }); });
  return out;
}

function walkObject(obj: unknown, schema: PatchStruct, ignoreStatus: boolean, visit: Visit): void {
  if (!isMap(obj)) return;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (k === 'apiVersion' || k === 'kind' || (ignoreStatus && k === 'status') || v === null) continue;
    const e: PathElement = { field: k };
    if (k === 'metadata' && isMap(v)) {
      const meta: Record<string, unknown> = {};
      let any = false;
      for (const mk of Object.keys(v)) if (!strippedMeta.has(mk)) { meta[mk] = v[mk]; any = true; }
      if (any) walkValue(meta, fieldMeta(schema, k).fields, [e], fieldText(k), visit);
      continue;
    }
    walkValue(v, fieldMeta(schema, k).fields, [e], fieldText(k), visit, fieldMeta(schema, k));
  }
}

function walkValue(v: unknown, schema: PatchStruct | undefined, path: FieldPath, key: string, visit: Visit,
  meta: ReturnType<typeof fieldMeta> = {}): void {
  if (meta.atomic || v === null) { visit(key, path, v); return; }
  if (isMap(v)) {
    let any = false;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === null) continue;
      any = true;
      walkValue(x, fieldMeta(schema, k).fields, [...path, { field: k }], `${key}\0f:${k}`, visit, fieldMeta(schema, k));
    }
    if (!any) visit(key, path, v);
    return;
  }
  if (Array.isArray(v)) {
    if (meta.listType === 'set') {
      for (const x of v) {
        const e: PathElement = { value: x };
        visit(`${key}\0${elementText(e)}`, [...path, e], x);
      }
      if (v.length === 0) visit(key, path, v);
      return;
    }
    if (meta.listType === 'map' && meta.listMapKeys && v.every(isMap)) {
      if (v.length === 0) { visit(key, path, v); return; }
      for (const item of v as Record<string, unknown>[]) {
        const e: PathElement = { key: itemKey(item, meta.listMapKeys) };
        const itemPath: FieldPath = [...path, e];
        const itemKeyText = `${key}\0${elementText(e)}`;
        visit(itemKeyText, itemPath, item);
        for (const k of Object.keys(item)) {
          const x = item[k];
          if (x !== null) walkValue(x, fieldMeta(schema, k).fields, [...itemPath, { field: k }], `${itemKeyText}\0f:${k}`, visit, fieldMeta(schema, k));
        }
      }
      return;
    }
  }
  visit(key, path, v);
}

/**
 * toFieldsV1(fieldSetOf(obj, schema, ignoreStatus)) built in one walk, with no path arrays or
 * set keys: what a create records (every field is the creator's). undefined for an empty set.
 */
export function fieldsV1Of(obj: unknown, schema: PatchStruct, ignoreStatus = true): Record<string, unknown> | undefined {
  const root = newNode();
  if (!isMap(obj)) return undefined;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (k === 'apiVersion' || k === 'kind' || (ignoreStatus && k === 'status') || v === null) continue;
    if (k === 'metadata' && isMap(v)) {
      const keep = Object.keys(v).filter((mk) => !strippedMeta.has(mk));
      if (!keep.length) continue;
      const fields = fieldMeta(schema, k).fields;
      const node = childOf(root, 'f:metadata');
      const entries = keep.filter((mk) => v[mk] !== null);
      if (!entries.length) { node.member = true; continue; }
      for (const mk of entries) treeValue(v[mk], fieldMeta(fields, mk).fields, childOf(node, fieldText(mk)), fieldMeta(fields, mk));
      continue;
    }
    treeValue(v, fieldMeta(schema, k).fields, childOf(root, fieldText(k)), fieldMeta(schema, k));
  }
  return root.children.size ? encodeTree(root) : undefined;
}

/** walkValue's rules, marking members of the tree instead of adding paths to a set. */
function treeValue(v: unknown, schema: PatchStruct | undefined, node: TreeNode, meta: ReturnType<typeof fieldMeta>): void {
  if (meta.atomic || v === null) { node.member = true; return; }
  if (isMap(v)) {
    let any = false;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === null) continue;
      any = true;
      treeValue(x, fieldMeta(schema, k).fields, childOf(node, fieldText(k)), fieldMeta(schema, k));
    }
    if (!any) node.member = true;
    return;
  }
  if (Array.isArray(v)) {
    if (meta.listType === 'set') {
      for (const x of v) childOf(node, `v:${JSON.stringify(x)}`).member = true;
      if (v.length === 0) node.member = true;
      return;
    }
    if (meta.listType === 'map' && meta.listMapKeys && v.every(isMap)) {
      if (v.length === 0) { node.member = true; return; }
      for (const item of v as Record<string, unknown>[]) {
        const itemNode = childOf(node, `k:${JSON.stringify(sortedKeys(itemKey(item, meta.listMapKeys)))}`);
        itemNode.member = true;
        for (const k of Object.keys(item)) {
          const x = item[k];
          if (x !== null) treeValue(x, fieldMeta(schema, k).fields, childOf(itemNode, fieldText(k)), fieldMeta(schema, k));
        }
      }
      return;
    }
  }
  node.member = true;
}

/** The key fields of a keyed-list item that are present. */
export function itemKey(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (item[k] !== undefined && item[k] !== null) out[k] = item[k];
  return out;
}
