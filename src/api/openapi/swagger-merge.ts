// Merging Swagger 2.0 documents as kube-openapi's aggregator does for /openapi/v2: an
// aggregated API server's document is cut down to the paths under its group version (and
// the definitions and shared parameters those reach), then added to the server's own: a
// path already served stays as it is; a definition or parameter of the same name and the
// same content is shared, one with other content is renamed NAME_v2 (_v3, …) and every
// reference to it in the added document follows.
import { isDeepStrictEqual } from 'node:util';

export interface Swagger {
  paths?: Record<string, unknown>;
  definitions?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

const SECTIONS = { definitions: '#/definitions/', parameters: '#/parameters/' } as const;
type Section = keyof typeof SECTIONS;

/** Calls `fn` on every `$ref` string under `node`; a returned string replaces it. */
function walkRefs(node: unknown, fn: (ref: string) => string | void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { for (const x of node) walkRefs(x, fn); return; }
  const o = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (k === '$ref' && typeof v === 'string') { const r = fn(v); if (typeof r === 'string') o[k] = r; } else walkRefs(v, fn);
  }
}

/** The section and name a local reference points at ("#/definitions/X" → definitions, X). */
function target(ref: string): [Section, string] | undefined {
  for (const [section, prefix] of Object.entries(SECTIONS) as Array<[Section, string]>) if (ref.startsWith(prefix)) return [section, ref.slice(prefix.length)];
  return undefined;
}

/**
 * A copy of `spec` with only the paths `keep` admits, and the definitions and parameters
 * they reach (transitively). `spec` is not changed.
 */
export function filterPaths(spec: Swagger, keep: (path: string) => boolean): Swagger {
  const paths: Record<string, unknown> = {};
  for (const [p, item] of Object.entries(spec.paths ?? {})) if (keep(p)) paths[p] = item;
  const used: Record<Section, Set<string>> = { definitions: new Set(), parameters: new Set() };
  const visit = (node: unknown) => walkRefs(node, (ref) => {
    const t = target(ref);
    if (!t || used[t[0]].has(t[1]) || spec[t[0]]?.[t[1]] === undefined) return;
    used[t[0]].add(t[1]);
    visit(spec[t[0]]![t[1]]);
  });
  visit(paths);
  const out: Swagger = structuredClone({ ...spec, paths, definitions: pickNames(spec.definitions, used.definitions), parameters: pickNames(spec.parameters, used.parameters) });
  if (!Object.keys(out.parameters!).length) delete out.parameters;
  return out;
}

function pickNames(from: Record<string, unknown> | undefined, names: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of [...names].sort()) if (from?.[n] !== undefined) out[n] = from[n];
  return out;
}

/** Adds `source`'s paths, definitions and parameters to `dest` (changed in place; `source` is not). */
export function mergeSwagger(dest: Swagger, source: Swagger): void {
  dest.paths ??= {};
  dest.definitions ??= {};
  const src = filterPaths(source, (p) => !(p in dest.paths!));
  const renames = new Map<string, string>();
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const mine = src[section] ?? {};
    const theirs = dest[section] ?? {};
    for (const [name, value] of Object.entries(mine)) {
      if (!(name in theirs) || isDeepStrictEqual(value, theirs[name])) continue;
      let i = 2;
      while (`${name}_v${i}` in theirs || `${name}_v${i}` in mine) i++;
      renames.set(SECTIONS[section] + name, SECTIONS[section] + `${name}_v${i}`);
      mine[`${name}_v${i}`] = value;
      delete mine[name];
    }
  }
  if (renames.size) walkRefs(src, (ref) => renames.get(ref));
  for (const section of Object.keys(SECTIONS) as Section[]) {
    for (const [name, value] of Object.entries(src[section] ?? {})) {
      dest[section] ??= {};
      if (!(name in dest[section]!)) dest[section]![name] = value;
    }
  }
  Object.assign(dest.paths, src.paths);
}
