// A CRD's structural schema applied to custom resources, as the apiextensions server does:
// validation with kube-openapi's messages (`spec.replicas in body must be of type integer:
// "string"`), defaults from `default`, and pruning of fields the schema does not declare
// (unless x-kubernetes-preserve-unknown-fields). apiVersion, kind and metadata are the
// server's at the root.
import {
  type FieldError, invalid, notSupported, required, tooLong, tooMany, typeInvalid,
} from '../../api/status/index.js';

export interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number; maximum?: number; exclusiveMinimum?: boolean; exclusiveMaximum?: boolean;
  minLength?: number; maxLength?: number;
  minItems?: number; maxItems?: number;
  minProperties?: number; maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [k: string]: unknown;
}

const ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(s: Schema, v: unknown): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  if (!s.type) return true;
  const t = jsonType(v);
  return s.type === t || (s.type === 'number' && t === 'integer');
}

/** The badValue kube-openapi reports for a type mismatch: the value's JSON type name. */
function typeError(path: string, s: Schema, v: unknown): FieldError {
  const t = jsonType(v);
  const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
  return typeInvalid(path, t, `${path} in body must be of type ${want}: "${t}"`);
}

export function validateValue(s: Schema, v: unknown, path: string, out: FieldError[], root = false): void {
  if (v === null) {
    if (!s.nullable && s.type && !s['x-kubernetes-int-or-string']) out.push(typeError(path, s, v));
    return;
  }
  if (!typeMatches(s, v)) { out.push(typeError(path, s, v)); return; }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    out.push(notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) out.push(tooLong(path, s.maxLength));
    if (s.minLength !== undefined && len < s.minLength) out.push(invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
      if (re && !re.test(v)) out.push(invalid(path, v, `${path} in body should match '${s.pattern}'`));
    }
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      out.push(invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      out.push(invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push(tooMany(path, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) out.push(invalid(path, v.length, `${path} in body should have at least ${s.minItems} items`));
    if (s.items) v.forEach((x, i) => validateValue(s.items!, x, `${path}[${i}]`, out));
    return;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (o[r] === undefined && !(root && ROOT_FIELDS.has(r))) out.push(required(join(path, r)));
    const n = Object.keys(o).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) out.push(tooMany(path, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) out.push(invalid(path, n, `${path} in body should have at least ${s.minProperties} properties`));
    for (const [k, x] of Object.entries(o)) {
      if ((root && ROOT_FIELDS.has(k)) || x === undefined) continue;
      const ps = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (ps) validateValue(ps, x, join(path, k), out);
    }
  }
}

/** Validation errors of a custom resource against its version's schema. */
export function validateObject(schema: Schema, obj: unknown): FieldError[] {
  const out: FieldError[] = [];
  validateValue(schema, obj, '', out, true);
  return out;
}

/** Fills `default`s of absent properties, depth first (defaults are applied before nested ones). */
export function applyDefaults(s: Schema, v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) { if (s.items) for (const x of v) applyDefaults(s.items, x); return; }
  const o = v as Record<string, unknown>;
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (o[k] === undefined && ps.default !== undefined) o[k] = structuredClone(ps.default);
    if (o[k] !== undefined) applyDefaults(ps, o[k]);
  }
  if (typeof s.additionalProperties === 'object') for (const x of Object.values(o)) applyDefaults(s.additionalProperties, x);
}

/** Removes undeclared fields in place; returns their paths ("spec.foo"). */
export function prune(s: Schema, v: unknown, path = '', root = true): string[] {
  const out: string[] = [];
  const walk = (sc: Schema, val: unknown, p: string, isRoot: boolean) => {
    if (val === null || typeof val !== 'object') return;
    if (Array.isArray(val)) { if (sc.items) val.forEach((x, i) => walk(sc.items!, x, `${p}[${i}]`, false)); return; }
    const o = val as Record<string, unknown>;
    const preserve = sc['x-kubernetes-preserve-unknown-fields'] === true;
    for (const k of Object.keys(o)) {
      if (isRoot && ROOT_FIELDS.has(k)) continue;
      const ps = sc.properties?.[k] ?? (typeof sc.additionalProperties === 'object' ? sc.additionalProperties : undefined);
      if (ps) walk(ps, o[k], join(p, k), false);
      else if (!preserve && sc.additionalProperties !== true) { out.push(join(p, k)); delete o[k]; }
    }
  };
  walk(s, v, path, root);
  return out;
}
