// The generated definitions (src/api/openapi/generated/definitions.json, written by
// `npm run gen:openapi`), loaded once, with the strategic-merge and server-side-apply
// metadata of src/api/patch/patch-meta.ts laid over them, and indexed by group-version-kind.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { type Definitions, type GroupVersionKind, type Schema, refName } from './schema.js';
import { applyPatchExtensions } from './patch-extensions.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

let loaded: { defs: Definitions; byGvk: Map<string, string> } | undefined;
/**
 * Custom definitions set before anything read the definitions, laid over them at load: the
 * API server registers APIService's at start, and parsing the generated file then cost
 * 0.15–0.45 s of its start and several MiB kept by a server nobody asked for OpenAPI.
 */
const pending = new Map<string, Schema | undefined>();

export const gvkKey = (g: { group: string; version: string; kind: string }) => `${g.group}/${g.version}/${g.kind}`;

function load() {
  if (loaded) return loaded;
  const defs = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'src/api/openapi/generated/definitions.json'), 'utf8')) as Definitions;
  // Kinds served in every group version carry no literal kind in kubernetes-types.
  defs[`${META}.Status`]['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'Status', version: 'v1' }];
  applyPatchExtensions(defs);
  const byGvk = new Map<string, string>();
  for (const [name, d] of Object.entries(defs)) for (const g of d['x-kubernetes-group-version-kind'] ?? []) byGvk.set(gvkKey(g), name);
  loaded = { defs, byGvk };
  for (const [name, schema] of pending) overlay(loaded, name, schema);
  pending.clear();
  return loaded;
}

function overlay(l: NonNullable<typeof loaded>, name: string, schema: Schema | undefined): void {
  const old = l.defs[name];
  for (const g of old?.['x-kubernetes-group-version-kind'] ?? []) if (l.byGvk.get(gvkKey(g)) === name) l.byGvk.delete(gvkKey(g));
  if (!schema) { delete l.defs[name]; return; }
  l.defs[name] = schema;
  for (const g of schema['x-kubernetes-group-version-kind'] ?? []) l.byGvk.set(gvkKey(g), name);
}

/** Every definition (shared; callers must not modify it). */
export function allDefinitions(): Definitions {
  return load().defs;
}

/** The definition name of a kind ("io.k8s.api.core.v1.Pod"), if the type package has it. */
export function definitionOf(gvk: { group: string; version: string; kind: string }): string | undefined {
  return load().byGvk.get(gvkKey(gvk));
}

/**
 * The hook for CustomResourceDefinitions (src/apiserver/crd): adds, replaces or (with
 * undefined) removes a definition, indexed by its x-kubernetes-group-version-kind, so the
 * served OpenAPI documents carry each custom resource's schema while its CRD exists.
 */
export function setCustomDefinition(name: string, schema: Schema | undefined): void {
  if (loaded) overlay(loaded, name, schema);
  else pending.set(name, schema); // the latest wins
}

/** `names` and every definition they reference, transitively, in sorted order. */
export function closure(names: Iterable<string>): string[] {
  const defs = load().defs;
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) { v.forEach(visit); return; }
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') add(refName(x));
      else visit(x);
    }
  };
  const add = (n: string) => {
    if (seen.has(n) || !defs[n]) return;
    seen.add(n);
    visit(defs[n]);
  };
  for (const n of names) add(n);
  return [...seen].sort();
}

export type { GroupVersionKind };
export const META_PACKAGE = META;
