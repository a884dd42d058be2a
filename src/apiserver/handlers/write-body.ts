// Decoding a create/update body: kind and apiVersion must name this resource; unknown
// top-level fields are rejected (Strict), warned about (Warn, default) or dropped (Ignore).
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import { newBadRequest } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { pruneUnknownFields, strictDecodingErrors } from '../../api/validation/known-fields.js';
import { type RequestContext, apiVersionOf, query } from './request-context.js';

export async function readObject(ctx: RequestContext, def: ResourceDef = ctx.def): Promise<KubeObject> {
  const raw = await readBody(ctx.req);
  if (raw.length === 0) throw newBadRequest('the body of the request was empty');
  const obj = decodeObject(raw, mediaType(ctx.req));
  checkKind(obj, def);
  applyFieldValidation(ctx, obj, def, mediaType(ctx.req) === 'application/json' ? raw.toString('utf8') : undefined);
  return obj;
}

/**
 * The body as a source of fresh objects: the first call returns the object readObject made,
 * later ones (an update retried after a conflict) decode the body again, since the registry
 * modifies what it is given.
 */
export async function readObjectSource(ctx: RequestContext, def: ResourceDef = ctx.def): Promise<() => KubeObject> {
  const raw = await readBody(ctx.req);
  if (raw.length === 0) throw newBadRequest('the body of the request was empty');
  const type = mediaType(ctx.req);
  const decode = () => {
    const obj = decodeObject(raw, type);
    checkKind(obj, def);
    applyFieldValidation(ctx, obj, def, type === 'application/json' ? raw.toString('utf8') : undefined);
    return obj;
  };
  let first: KubeObject | undefined = decode();
  return () => { const o = first ?? decode(); first = undefined; return o; };
}

export function checkKind(obj: KubeObject, def: ResourceDef): void {
  const want = apiVersionOf(def);
  if (obj.apiVersion && obj.apiVersion !== want) {
    throw newBadRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind && obj.kind !== def.kind) throw newBadRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
  obj.apiVersion = want;
  obj.kind = def.kind;
}

/**
 * fieldValidation: unknown and duplicate fields fail the request (Strict), come back as
 * warnings (Warn, the default) or pass silently (Ignore); unknown fields are dropped either
 * way. Create and update errors carry upstream's decoder prefix; patch errors do not.
 */
export function applyFieldValidation(ctx: RequestContext, obj: KubeObject, def: ResourceDef, rawJson?: string, patch = false): void {
  const mode = query(ctx, 'fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) throw newBadRequest(`fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Warn", "Strict"`);
  const errors = mode === 'Ignore' ? [] : def.fields ? def.fields.unknownFields(obj).map((f) => `unknown field "${f}"`) : strictDecodingErrors(def, obj, rawJson);
  if (errors.length && mode === 'Strict') {
    const prefix = patch ? '' : `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: `;
    throw newBadRequest(`${prefix}strict decoding error: ${errors.join(', ')}`);
  }
  if (errors.length) ctx.res.setHeader('Warning', errors.map((e) => `299 - ${JSON.stringify(e)}`));
  if (def.fields) def.fields.prune(obj); else pruneUnknownFields(def, obj);
}
