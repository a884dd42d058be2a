// Unknown-field detection for fieldValidation. The field tree (known-fields.json) is
// generated from the kubernetes-types declarations by gen-known-fields.ts; kinds absent from
// it are not checked.
import fs from 'node:fs';

/** type name → field → type name ('' scalar, '[T]' list of T, '{T}' map of T, '*' anything). */
type FieldTree = Record<string, Record<string, string>>;

let tree: FieldTree | undefined;
function load(): FieldTree {
  if (!tree) {
    try {
      tree = JSON.parse(fs.readFileSync(new URL('../../../../src/api/validation/known-fields.json', import.meta.url), 'utf8')) as FieldTree;
    } catch {
      tree = {};
    }
  }
  return tree;
}

function walk(t: FieldTree, typeName: string, value: unknown, path: string, out: string[]): void {
  if (typeName === '' || typeName === '*' || value === null || typeof value !== 'object') return;
  if (typeName.startsWith('[')) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(t, typeName.slice(1, -1), v, `${path}[${i}]`, out));
    return;
  }
  if (typeName.startsWith('{')) {
    for (const [k, v] of Object.entries(value)) walk(t, typeName.slice(1, -1), v, `${path}[${k}]`, out);
    return;
  }
  const fields = t[typeName];
  if (!fields || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in fields)) out.push(p);
    else walk(t, fields[k], v, p, out);
  }
}

/** Paths of fields the kind does not declare, as upstream prints them ("spec.foo"). */
export function unknownFields(kind: string, obj: unknown): string[] {
  const t = load();
  if (!t[kind]) return [];
  const out: string[] = [];
  walk(t, kind, obj, '', out);
  return out;
}
