// OpenAPI 3.0 documents, one per group version, as served at /openapi/v3/api/v1 and
// /openapi/v3/apis/GROUP/VERSION: the group version's paths and, under components.schemas,
// every definition they reach. Definitions are rewritten from Swagger 2.0 form: refs point
// into components, a ref with siblings (a description, patch metadata) becomes allOf, and
// IntOrString and Quantity become upstream's oneOf schemas (kubectl explain prints their
// names, <IntOrString> and <Quantity>, because they carry no single type).
import type { ResourceDef } from '../resources/resource-def.js';
import { allDefinitions, closure } from './definitions.js';
import { INT_OR_STRING } from './generator/go-package.js';
import type { Operation } from './operations.js';
import { paramInfo } from './parameters.js';
import { COMPONENTS_REF, DEFINITIONS_REF, type Schema } from './schema.js';
import { JSON_YAML_PROTOBUF, PATCH_TYPES, operationDefinitions, pathsOf } from './spec-v2.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const STATUS_CODES: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

function toV3(s: Schema, top = false): Schema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, toV3(ps)]));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = toV3(v as Schema);
    else if (k === '$ref') out[k] = COMPONENTS_REF + (v as string).slice(DEFINITIONS_REF.length);
    else out[k] = v;
  }
  if (!top && out.$ref && Object.keys(out).length > 1) {
    const ref = out.$ref;
    delete out.$ref;
    out.allOf = [{ $ref: ref }];
  }
  return out as Schema;
}

function definitionV3(name: string, s: Schema): Schema {
  if (name === INT_OR_STRING) {
    const { type: _t, format: _f, ...rest } = s;
    return { ...rest, oneOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  if (name === QUANTITY) {
    const { type: _t, ...rest } = s;
    return { ...rest, oneOf: [{ type: 'string' }, { type: 'number' }] };
  }
  return toV3(s, true);
}

const content = (types: string[], defName: string) => Object.fromEntries(types.map((t) => [t, { schema: { $ref: COMPONENTS_REF + defName } }]));

function param(name: string, where: 'path' | 'query') {
  const p = paramInfo(name);
  return { name, in: where, description: p.description, ...(where === 'path' ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function operationV3(op: Operation) {
  const watch = op.action === 'watch' || op.action === 'watchlist';
  const responses: Record<string, unknown> = {};
  const types = watch ? [...JSON_YAML_PROTOBUF, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'] : JSON_YAML_PROTOBUF;
  for (const c of op.codes) responses[String(c)] = { description: STATUS_CODES[c], content: content(types, op.response) };
  responses['401'] = { description: 'Unauthorized' };
  const out: Record<string, unknown> = {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
    parameters: op.query.map((q) => param(q, 'query')),
  };
  if (op.body) out.requestBody = { content: content(op.method === 'patch' ? PATCH_TYPES : ['*/*'], op.body), required: true };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

export function openapiV3Document(resources: readonly ResourceDef[], version: string) {
  const items = pathsOf(resources);
  const paths: Record<string, unknown> = {};
  for (const item of items) {
    const entry: Record<string, unknown> = {};
    for (const op of item.operations) entry[op.method] = operationV3(op);
    entry.parameters = [...item.pathParams.map((n) => param(n, 'path')), param('pretty', 'query')];
    paths[item.path] = entry;
  }
  const all = allDefinitions();
  const schemas: Record<string, Schema> = {};
  for (const n of closure(operationDefinitions(items))) schemas[n] = definitionV3(n, all[n]);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}
