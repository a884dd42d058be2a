// PATCH in its four media types: JSON patch, merge patch, strategic merge patch, and
// server-side apply (creating when missing; field ownership, conflicts and force from
// api/patch/server-side-apply). Every patch records its manager in managedFields.
import { goBool } from '../request-info.js';
import YAML from 'yaml';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { ApiError, forbidden, newBadRequest, newInvalid, newUnsupportedMediaType, required } from '../../api/status/index.js';
import { applyPatch, PATCH_CONTENT_TYPES, serverSideApply, strategicMergePatch, patchMetaFor, type JsonMap } from '../../api/patch/index.js';
import { mediaType, readBody } from '../http/body.js';
import { nowTimestamp } from '../registry/object-meta.js';
import { type RequestContext, apiVersionOf, fieldManager, isDryRun, query } from './request-context.js';
import { applyFieldValidation, checkKind } from './write-body.js';
import { sendObject } from './resource-handler.js';

export const PATCH_TYPES: readonly string[] = PATCH_CONTENT_TYPES;
const APPLY = 'application/apply-patch+yaml';
const STRATEGIC = 'application/strategic-merge-patch+json';
/** Custom resources have no patch strategies: strategic merge patch is refused as upstream does. */
const typesFor = (ctx: RequestContext) => (ctx.def.custom ? PATCH_TYPES.filter((t) => t !== STRATEGIC) : PATCH_TYPES);
const patchOptions = { group: 'meta.k8s.io', kind: 'PatchOptions' };

function parsePatch(raw: Buffer, type: string): unknown {
  try {
    return type === APPLY ? YAML.parse(raw.toString('utf8'), { version: '1.1' }) : JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw newBadRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/**
 * Applies a non-apply patch body to `target` (the scale subresource uses it too); `owned`: the
 * caller gives target up (the registry's fresh copy), so it is patched in place.
 */
export async function applyPatchBody(ctx: RequestContext, target: KubeObject, raw: Buffer, owned = false): Promise<KubeObject> {
  const type = mediaType(ctx.req);
  if (!typesFor(ctx).includes(type)) throw newUnsupportedMediaType(typesFor(ctx));
  if (type !== APPLY) return applyPatch({ group: ctx.def.group, version: ctx.def.version, kind: target.kind ?? ctx.def.kind }, target, raw, type, { owned }) as KubeObject;
  // Apply to a subresource view (scale): the configuration merged over it.
  const patch = parsePatch(raw, type) as JsonMap;
  return strategicMergePatch(target as JsonMap, patch, patchMetaFor({ group: ctx.def.group, kind: target.kind ?? ctx.def.kind })) as KubeObject;
}

export async function servePatch(ctx: RequestContext, ns: string, subresource: string): Promise<void> {
  const { def, info, registry } = ctx;
  const raw = await readBody(ctx.req);
  const type = mediaType(ctx.req);
  if (!typesFor(ctx).includes(type)) throw newUnsupportedMediaType(typesFor(ctx));
  const apply = type === APPLY;
  const forceQ = query(ctx, 'force');
  if (forceQ !== undefined && !apply) throw newInvalid(patchOptions, '', [forbidden('force', 'may not be specified for non-apply patch')]);
  if (apply && !query(ctx, 'fieldManager')) throw newInvalid(patchOptions, '', [required('fieldManager', 'is required for apply patch')]);
  const manager = fieldManager(ctx);
  const dryRun = isDryRun(ctx);
  if (!apply) {
    const { obj, created } = await registry.update(def, ns, info.name, async (cur) => {
      const next = await applyPatchBody(ctx, cur, raw, true);
      if (!subresource || subresource === 'status') applyFieldValidation(ctx, next, def, undefined, true);
      // A patch never moves an object: its own resourceVersion only when the patch sets one.
      if (next.metadata && !raw.toString('utf8').includes('"resourceVersion"')) delete next.metadata.resourceVersion;
      return next;
    }, { subresource: subresource || undefined, dryRun, fieldManager: manager });
    return sendObject(ctx, created ? 201 : 200, obj);
  }
  const applied = parsePatch(raw, type) as KubeObject;
  if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw newBadRequest('error decoding patch: not an object');
  checkKind(applied, def);
  if (applied.metadata?.name && applied.metadata.name !== info.name) {
    throw newBadRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  const opts = {
    manager, apiVersion: apiVersionOf(def), force: goBool(forceQ), now: nowTimestamp(),
    subresource: subresource || undefined, includeStatus: !def.hasStatus,
  };
  const kind = { group: def.group, kind: def.kind };
  const { obj, created } = await registry.update(def, ns, info.name, (cur) => {
    const next = withUpstreamConflictText(() => serverSideApply(kind, cur, applied, opts)) as KubeObject;
    // Apply does not pin a version unless the configuration names one.
    if (!applied.metadata?.resourceVersion) delete next.metadata!.resourceVersion;
    return next;
  }, {
    subresource: subresource || undefined, dryRun, applied: true,
    createIfMissing: subresource ? undefined : () => {
      const fresh = serverSideApply(kind, undefined, applied, opts) as KubeObject;
      fresh.metadata = { ...(fresh.metadata ?? {}), name: info.name };
      return fresh;
    },
  });
  sendObject(ctx, created ? 201 : 200, obj);
}

const AT_TIME = / at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g;

/**
 * Upstream names a conflicting updater without its time ("conflict with "x" using apps/v1"),
 * since its manager identifiers never carry one; api/patch adds it, so it is dropped here.
 */
function withUpstreamConflictText<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError && err.status.code === 409) {
      err.status.message = (err.status.message ?? '').replace(AT_TIME, '');
      err.message = err.status.message;
      for (const c of err.status.details?.causes ?? []) if (c.message) c.message = c.message.replace(AT_TIME, '');
    }
    throw err;
  }
}
