// The Swagger 2.0 document served at /openapi/v2: every served resource's paths and the
// definitions they reach.
import type { ResourceDef } from '../resources/resource-def.js';
import { allDefinitions, closure, META_PACKAGE } from './definitions.js';
import { type Operation, type PathItem, resourceOperations } from './operations.js';
import { paramInfo } from './parameters.js';
import { DEFINITIONS_REF, type Definitions } from './schema.js';

export const JSON_YAML_PROTOBUF = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const STATUS_CODES: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

function param(name: string, where: 'path' | 'query') {
  const p = paramInfo(name);
  return { uniqueItems: true, type: p.type, description: p.description, name, in: where, ...(where === 'path' ? { required: true } : {}) };
}

function operationV2(op: Operation) {
  const parameters: unknown[] = op.query.map((q) => param(q, 'query'));
  if (op.body) parameters.unshift({ name: 'body', in: 'body', required: true, schema: { $ref: DEFINITIONS_REF + op.body } });
  const watch = op.action === 'watch' || op.action === 'watchlist' || op.query.includes('watch');
  const responses: Record<string, unknown> = {};
  for (const c of op.codes) responses[String(c)] = { description: STATUS_CODES[c], schema: { $ref: DEFINITIONS_REF + op.response } };
  responses['401'] = { description: 'Unauthorized' };
  return {
    description: op.description,
    consumes: op.method === 'patch' ? PATCH_TYPES : ['*/*'],
    produces: watch ? [...JSON_YAML_PROTOBUF, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'] : JSON_YAML_PROTOBUF,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    parameters,
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

export function pathsOf(defs: readonly ResourceDef[]): PathItem[] {
  return defs.flatMap(resourceOperations).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Definition names the operations use, directly. */
export function operationDefinitions(items: PathItem[]): string[] {
  const names = new Set<string>([`${META_PACKAGE}.Status`]);
  for (const p of items) for (const o of p.operations) { names.add(o.response); if (o.body) names.add(o.body); }
  return [...names];
}

export function swaggerDocument(resources: readonly ResourceDef[], version: string) {
  const items = pathsOf(resources);
  const paths: Record<string, unknown> = {};
  for (const item of items) {
    const entry: Record<string, unknown> = {};
    for (const op of item.operations) entry[op.method] = operationV2(op);
    entry.parameters = [...item.pathParams.map((n) => param(n, 'path')), param('pretty', 'query')];
    paths[item.path] = entry;
  }
  const all = allDefinitions();
  const definitions: Definitions = {};
  for (const n of closure(operationDefinitions(items))) definitions[n] = all[n];
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
