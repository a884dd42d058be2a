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
  has(p: FieldPath): boolean { return this.members.has(pathKey(p)); }
  delete(p: FieldPath): void { this.members.delete(pathKey(p)); }
  get size(): number { return this.members.size; }
  paths(): FieldPath[] { return [...this.members.values()]; }
  union(o: FieldSet): FieldSet { return FieldSet.of([...this.paths(), ...o.paths()]); }
  minus(o: FieldSet): FieldSet { return FieldSet.of(this.paths().filter((p) => !o.has(p))); }
}

const sortedKeys = (m: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));

/** One element as FieldsV1 spells it. */
export function elementText(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`;
  if ('key' in e) return `k:${JSON.stringify(sortedKeys(e.key))}`;
  if ('value' in e) return `v:${JSON.stringify(e.value)}`;
  return `i:${e.index}`;
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

/** Encodes a set as a FieldsV1 object: a member with children carries ".", a leaf is {}. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  interface Node { member: boolean; children: Map<string, Node> }
  const root: Node = { member: false, children: new Map() };
  for (const p of set.paths()) {
    let node = root;
    for (const e of p) {
      const t = elementText(e);
      let next = node.children.get(t);
      if (!next) node.children.set(t, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  const encode = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size) out['.'] = {};
    for (const k of [...node.children.keys()].sort()) out[k] = encode(node.children.get(k)!);
    return out;
  };
  return encode(root);
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

/**
 * The leaf paths of an object, with list items of keyed lists as members too.
 * `ignoreStatus` leaves out `.status` (resources with a status subresource).
 */
export function fieldSetOf(obj: unknown, schema: PatchStruct, ignoreStatus = true): FieldSet {
  const set = new FieldSet();
  if (!isMap(obj)) return set;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || (ignoreStatus && k === 'status') || v === null) continue;
    if (k === 'metadata' && isMap(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !strippedMeta.has(mk)));
      if (Object.keys(meta).length) walkValue(meta, fieldMeta(schema, k).fields, [{ field: k }], set);
      continue;
    }
    walkValue(v, fieldMeta(schema, k).fields, [{ field: k }], set, fieldMeta(schema, k));
  }
  return set;
}

function walkValue(v: unknown, schema: PatchStruct | undefined, path: FieldPath, set: FieldSet,
  meta: ReturnType<typeof fieldMeta> = {}): void {
  if (meta.atomic || v === null) { set.add(path); return; }
  if (isMap(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== null);
    if (entries.length === 0) { set.add(path); return; }
    for (const [k, x] of entries) walkValue(x, fieldMeta(schema, k).fields, [...path, { field: k }], set, fieldMeta(schema, k));
    return;
  }
  if (Array.isArray(v)) {
    if (meta.listType === 'set') {
      for (const x of v) set.add([...path, { value: x }]);
      if (v.length === 0) set.add(path);
      return;
    }
    if (meta.listType === 'map' && meta.listMapKeys && v.every(isMap)) {
      if (v.length === 0) { set.add(path); return; }
      for (const item of v as Record<string, unknown>[]) {
        const itemPath: FieldPath = [...path, { key: itemKey(item, meta.listMapKeys) }];
        set.add(itemPath);
        for (const [k, x] of Object.entries(item)) {
          if (x !== null) walkValue(x, fieldMeta(schema, k).fields, [...itemPath, { field: k }], set, fieldMeta(schema, k));
        }
      }
      return;
    }
  }
  set.add(path);
}

/** The key fields of a keyed-list item that are present. */
export function itemKey(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (item[k] !== undefined && item[k] !== null) out[k] = item[k];
  return out;
}
