// TEMPORARY until src/api/patch lands: JSON patch (rfc6902), merge patch (RFC 7386), and a
// strategic merge patch that merges object lists by "name" and understands $patch/$setElementOrder.
import { applyPatch as applyJsonPatch } from 'rfc6902';
import { newBadRequest } from '../../api/status/index.js';

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw newBadRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const copy = structuredClone(doc);
  const results = applyJsonPatch(copy as object, ops as any);
  const failed = results.find((r) => r !== null);
  if (failed) throw new Error(`the server rejected our request due to an error in our request: ${failed.message ?? String(failed)}`);
  return copy;
}

export function mergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, any> = isObj(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const MERGE_KEYS = ['name', 'containerPort', 'port', 'ip', 'type', 'mountPath', 'devicePath'];

export function strategicMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') { const { $patch: _p, ...rest } = patch; return rest; }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = isObj(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      out[field] = (out[field] ?? []).filter((x: unknown) => !(v as unknown[]).includes(x));
      continue;
    }
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v) && Array.isArray(out[k]) && v.every(isObj) && out[k].every(isObj)) {
      const key = MERGE_KEYS.find((mk) => v.every((e) => e[mk] !== undefined || e.$patch) && out[k].every((e: any) => e[mk] !== undefined));
      if (key) {
        const merged: any[] = out[k].map((e: any) => structuredClone(e));
        for (const item of v) {
          const i = merged.findIndex((e) => e[key] === item[key]);
          if (item.$patch === 'delete') { if (i >= 0) merged.splice(i, 1); continue; }
          if (i >= 0) merged[i] = strategicMergePatch(merged[i], item);
          else merged.push(strategicMergePatch({}, item));
        }
        out[k] = merged;
        continue;
      }
    }
    const next = strategicMergePatch(out[k], v);
    if (next === undefined) delete out[k]; else out[k] = next;
  }
  return out;
}
