// Decoding a create/update body: kind and apiVersion must name this resource; unknown
// top-level fields are rejected (Strict), warned about (Warn, default) or dropped (Ignore).
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import { newBadRequest } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { strictDecodingErrors } from '../../api/validation/known-fields.js';
import { type RequestContext, apiVersionOf, query } from './request-context.js';

export async function readObject(ctx: RequestContext, def: ResourceDef = ctx.def): Promise<KubeObject> {
  const raw = await readBody(ctx.req);
  if (raw.length === 0) throw newBadRequest('the body of the request was empty');
  const obj = decodeObject(raw, mediaType(ctx.req));
  checkKind(obj, def);
  applyFieldValidation(ctx, obj, def, mediaType(ctx.req) === 'application/json' ? raw.toString('utf8') : undefined);
  return obj;
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

export function applyFieldValidation(ctx: RequestContext, obj: KubeObject, def: ResourceDef, rawJson?: string): void {
  const mode = query(ctx, 'fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) throw newBadRequest(`fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Warn", "Strict"`);
  if (mode === 'Ignore') return;
  const errors = strictDecodingErrors(def, obj, rawJson);
  if (errors.length === 0) return;
  if (mode === 'Strict') {
    throw newBadRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${errors.join(', ')}`);
  }
  ctx.res.setHeader('Warning', errors.map((e) => `299 - ${JSON.stringify(e)}`));
}
