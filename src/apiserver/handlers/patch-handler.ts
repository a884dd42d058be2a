// PATCH in its four media types: JSON patch, merge patch, strategic merge patch, and
// server-side apply (creating when missing, recording the manager in managedFields).
import YAML from 'yaml';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { newBadRequest, newUnsupportedMediaType } from '../../api/status/index.js';
import { applyPatch, PATCH_CONTENT_TYPES, strategicMergePatch, patchMetaFor, type JsonMap } from '../../api/patch/index.js';
import { mediaType, readBody } from '../http/body.js';
import { nowTimestamp } from '../registry/object-meta.js';
import { type RequestContext, apiVersionOf, isDryRun, query } from './request-context.js';
import { checkKind } from './write-body.js';
import { sendObject } from './resource-handler.js';

export const PATCH_TYPES: readonly string[] = PATCH_CONTENT_TYPES;

function parsePatch(raw: Buffer, type: string): unknown {
  try {
    return type === 'application/apply-patch+yaml' ? YAML.parse(raw.toString('utf8'), { version: '1.1' }) : JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw newBadRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** Applies the request's patch body to `target` (used by the scale subresource too). */
export async function applyPatchBody(ctx: RequestContext, target: KubeObject, raw: Buffer): Promise<KubeObject> {
  const type = mediaType(ctx.req);
  if (!PATCH_TYPES.includes(type)) throw newUnsupportedMediaType(PATCH_TYPES);
  if (type !== 'application/apply-patch+yaml') return applyPatch({ group: ctx.def.group, version: ctx.def.version, kind: target.kind ?? ctx.def.kind }, target, raw, type) as KubeObject;
  // Apply (single manager for now): the configuration merged over the live object.
  const patch = parsePatch(raw, type) as JsonMap;
  return strategicMergePatch(target as JsonMap, patch, patchMetaFor({ group: ctx.def.group, kind: ctx.def.kind })) as KubeObject;
}

function recordManager(obj: KubeObject, manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource: string): void {
  const entries = (obj.metadata!.managedFields ?? []).filter((e: any) => !(e.manager === manager && e.operation === operation && (e.subresource ?? '') === subresource));
  const entry: Record<string, unknown> = { manager, operation, apiVersion, time: nowTimestamp(), fieldsType: 'FieldsV1', fieldsV1: fieldSet(obj) };
  if (subresource) entry.subresource = subresource;
  entries.push(entry);
  obj.metadata!.managedFields = entries;
}

/** A FieldsV1 set of every field present (lists of named objects keyed by name). */
function fieldSet(v: any, top = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (top && (k === 'status' || k === 'apiVersion' || k === 'kind')) continue;
    if (top && k === 'metadata') {
      const m: Record<string, unknown> = {};
      for (const mk of ['labels', 'annotations']) if ((val as any)?.[mk]) m[`f:${mk}`] = fieldSet((val as any)[mk], false);
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    if (Array.isArray(val) && val.every((e) => e && typeof e === 'object' && 'name' in e)) {
      const list: Record<string, unknown> = {};
      for (const e of val) list[`k:${JSON.stringify({ name: e.name })}`] = { '.': {}, ...fieldSet(e, false) };
      out[`f:${k}`] = list;
    } else if (val && typeof val === 'object' && !Array.isArray(val)) out[`f:${k}`] = { '.': {}, ...fieldSet(val, false) };
    else out[`f:${k}`] = {};
  }
  return out;
}

export async function servePatch(ctx: RequestContext, ns: string, subresource: string): Promise<void> {
  const { def, info, registry } = ctx;
  const raw = await readBody(ctx.req);
  const type = mediaType(ctx.req);
  if (!PATCH_TYPES.includes(type)) throw newUnsupportedMediaType(PATCH_TYPES);
  const apply = type === 'application/apply-patch+yaml';
  const manager = query(ctx, 'fieldManager');
  if (apply && !manager) throw newBadRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  let applied: KubeObject | undefined;
  if (apply) {
    applied = parsePatch(raw, type) as KubeObject;
    if (!applied || typeof applied !== 'object') throw newBadRequest('error decoding patch: not an object');
    checkKind(applied, def);
  }
  const { obj, created } = await registry.update(def, ns, info.name, async (cur) => {
    const next = await applyPatchBody(ctx, cur, raw);
    if (manager || apply) recordManager(next, manager ?? 'unknown', apply ? 'Apply' : 'Update', apiVersionOf(def), subresource);
    // A patch never moves an object: its own resourceVersion only when the patch sets one.
    if (next.metadata && !raw.toString('utf8').includes('"resourceVersion"') && !apply) delete next.metadata.resourceVersion;
    return next;
  }, {
    subresource: subresource || undefined, dryRun: isDryRun(ctx),
    createIfMissing: apply && !subresource ? () => {
      const fresh = structuredClone(applied!);
      fresh.metadata = { ...(fresh.metadata ?? {}), name: info.name };
      recordManager(fresh, manager!, 'Apply', apiVersionOf(def), '');
      return fresh;
    } : undefined,
  });
  sendObject(ctx, created ? 201 : 200, obj);
}
