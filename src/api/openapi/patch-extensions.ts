// Publishes the repository's one table of patch metadata (src/api/patch/patch-meta.ts) in
// the schemas, as upstream does: x-kubernetes-patch-strategy / -patch-merge-key for
// strategic merge patch (kubectl apply reads them), x-kubernetes-list-type / -list-map-keys
// and x-kubernetes-map-type for server-side apply. The table is keyed by kind and path;
// the definitions are keyed by type, so the walk follows each kind's fields down.
import { type PatchStruct, patchMetaFor } from '../patch/patch-meta.js';
import { type Definitions, refName } from './schema.js';

function annotate(defs: Definitions, defName: string, struct: PatchStruct, seen: Set<string>): void {
  const def = defs[defName];
  if (!def?.properties) return;
  for (const [field, meta] of Object.entries(struct)) {
    const prop = def.properties[field];
    if (!prop) continue;
    const strategy = [meta.strategy, meta.retainKeys ? 'retainKeys' : undefined].filter(Boolean).join(',');
    if (strategy) prop['x-kubernetes-patch-strategy'] = strategy;
    if (meta.mergeKey) prop['x-kubernetes-patch-merge-key'] = meta.mergeKey;
    if (meta.listType) prop['x-kubernetes-list-type'] = meta.listType;
    if (meta.listMapKeys) prop['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
    const target = prop.$ref ?? prop.items?.$ref;
    if (!target) continue;
    const targetName = refName(target);
    if (meta.atomic && defs[targetName]) defs[targetName]['x-kubernetes-map-type'] = 'atomic';
    const key = `${targetName} ${field}`;
    if (meta.fields && !seen.has(key)) {
      seen.add(key);
      annotate(defs, targetName, meta.fields, seen);
    }
  }
}

/** Lays the patch metadata of every kind that has a definition over `defs`, in place. */
export function applyPatchExtensions(defs: Definitions): void {
  for (const [name, def] of Object.entries(defs)) {
    const gvk = def['x-kubernetes-group-version-kind']?.[0];
    if (!gvk || !def.properties?.metadata) continue;
    annotate(defs, name, patchMetaFor({ group: gvk.group, kind: gvk.kind }), new Set());
  }
}
