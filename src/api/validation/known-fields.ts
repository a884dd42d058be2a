// Strict field validation (fieldValidation=Strict|Warn): the unknown and duplicate fields
// of a request body, reported as upstream's strict JSON decoder reports them
// (`unknown field "spec.foo"`, `duplicate field "metadata.name"`), in document order.
// The field tree (known-fields.json) is generated from the kubernetes-types declarations
// by `npm run gen:openapi`; kinds absent from it are not checked.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { scanJsonFields } from './known-fields-scan.js';

/** See src/api/openapi/generator/known-fields-tree.ts for the codes. */
export interface FieldTree {
  kinds: Record<string, string>;
  types: Record<string, Record<string, string>>;
}

/** Upstream stops collecting strict errors at 100. */
export const MAX_STRICT_ERRORS = 100;

let tree: FieldTree | undefined;
export function knownFieldTree(): FieldTree {
  if (!tree) {
    try {
      tree = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'src/api/validation/known-fields.json'), 'utf8')) as FieldTree;
    } catch {
      tree = { kinds: {}, types: {} };
    }
  }
  return tree;
}

export interface KindRef { group: string; version: string; kind: string }

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

// Paths are spelled only for values that can hold an unknown field (objects and arrays) or
// for the error itself: most members are scalars, and this runs on every write.
function walk(t: FieldTree, code: string, value: unknown, path: string, out: string[]): void {
  if (code === '' || code === '*' || value === null || typeof value !== 'object') return;
  if (code.startsWith('[')) {
    if (!Array.isArray(value)) return;
    const elem = code.slice(1, -1);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object') walk(t, elem, v, `${path}[${i}]`, out);
    }
    return;
  }
  const obj = value as Record<string, unknown>;
  if (code.startsWith('{')) {
    const elem = code.slice(1, -1);
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v !== null && typeof v === 'object') walk(t, elem, v, join(path, k), out);
    }
    return;
  }
  const fields = t.types[code];
  if (!fields || Array.isArray(value)) return;
  for (const k of Object.keys(obj)) {
    if (!Object.prototype.hasOwnProperty.call(fields, k)) { out.push(`unknown field "${join(path, k)}"`); continue; }
    const v = obj[k];
    if (v !== null && typeof v === 'object') walk(t, fields[k], v, join(path, k), out);
  }
}

function rootCode(kind: KindRef | string): string | undefined {
  const t = knownFieldTree();
  if (typeof kind !== 'string') return t.kinds[`${kind.group}/${kind.version}/${kind.kind}`];
  // A bare kind name: the unique definition of that kind, if any.
  const hits = Object.entries(t.kinds).filter(([k]) => k.endsWith(`/${kind}`));
  return hits.length === 1 ? hits[0][1] : undefined;
}

/**
 * Strict decoding errors of a body for `kind`, e.g. `unknown field "spec.foo"`. With the raw
 * JSON text, duplicate keys are found too; otherwise the decoded object is walked.
 */
export function strictDecodingErrors(kind: KindRef | string, obj: unknown, rawJson?: string): string[] {
  const root = rootCode(kind);
  if (!root) return [];
  const t = knownFieldTree();
  let out: string[];
  if (rawJson !== undefined) {
    try {
      out = scanJsonFields(rawJson, root, (code) => t.types[code]);
    } catch {
      out = [];
      walk(t, root, obj, '', out);
    }
  } else {
    out = [];
    walk(t, root, obj, '', out);
  }
  return [...new Set(out)].slice(0, MAX_STRICT_ERRORS);
}

function prune(t: FieldTree, code: string, value: unknown): void {
  if (code === '' || code === '*' || value === null || typeof value !== 'object') return;
  if (code.startsWith('[')) {
    if (!Array.isArray(value)) return;
    const elem = code.slice(1, -1);
    for (const v of value) if (v !== null && typeof v === 'object') prune(t, elem, v);
    return;
  }
  if (code.startsWith('{')) {
    const elem = code.slice(1, -1);
    for (const v of Object.values(value)) if (v !== null && typeof v === 'object') prune(t, elem, v);
    return;
  }
  const fields = t.types[code];
  if (!fields || Array.isArray(value)) return;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!Object.prototype.hasOwnProperty.call(fields, k)) delete obj[k];
    else if (obj[k] !== null && typeof obj[k] === 'object') prune(t, fields[k], obj[k]);
  }
}

/**
 * Drops the fields the kind does not declare, in place: upstream decodes into typed structs,
 * so unknown fields never reach storage whatever fieldValidation says.
 */
export function pruneUnknownFields(kind: KindRef | string, obj: unknown): void {
  const root = rootCode(kind);
  if (root) prune(knownFieldTree(), root, obj);
}

/** Paths of fields the kind does not declare, as upstream prints them ("spec.foo"). */
export function unknownFields(kind: KindRef | string, obj: unknown): string[] {
  return strictDecodingErrors(kind, obj).map((e) => /^unknown field "(.*)"$/.exec(e)?.[1]).filter((p): p is string => p !== undefined);
}
