// The field tree strict decoding walks, derived from the generated definitions: for each
// object type, its fields and what each holds. Codes: '' a scalar, '*' anything (free-form
// holders such as RawExtension and FieldsV1), a definition name, '[C]' a list of C, '{C}' a
// map of C (any key is allowed, as in metadata.labels).
import { type Definitions, type Schema, refName } from '../schema.js';

export interface KnownFieldsTree {
  /** "group/version/Kind" (core group empty) → definition name. */
  kinds: Record<string, string>;
  /** Object definition name → field → code. */
  types: Record<string, Record<string, string>>;
}

function code(defs: Definitions, s: Schema): string {
  if (s.$ref) {
    const target = defs[refName(s.$ref)];
    if (!target) return '*';
    if (target.properties) return refName(s.$ref);
    return target.type === 'string' || target.type === 'integer' || target.type === 'number' || target.type === 'boolean' ? '' : '*';
  }
  if (s.type === 'array') return s.items ? `[${code(defs, s.items)}]` : '[*]';
  if (s.type === 'object') {
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return `{${code(defs, s.additionalProperties)}}`;
    return '*';
  }
  return s.type ? '' : '*';
}

export function knownFieldsTree(defs: Definitions): KnownFieldsTree {
  const kinds: Record<string, string> = {};
  const types: Record<string, Record<string, string>> = {};
  for (const [name, def] of Object.entries(defs)) {
    if (!def.properties) continue;
    const fields: Record<string, string> = {};
    for (const [f, s] of Object.entries(def.properties)) fields[f] = code(defs, s);
    types[name] = fields;
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) kinds[`${gvk.group}/${gvk.version}/${gvk.kind}`] = name;
  }
  return { kinds, types };
}
