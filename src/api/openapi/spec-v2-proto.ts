// The Swagger 2.0 document in gnostic's protobuf form (openapi.v2.Document), which is what
// client-go's OpenAPISchema() asks /openapi/v2 for: kubectl validates client-side with it
// whenever the server cannot validate fields itself (a `kind: List` file, for one).
// Upstream turns its JSON into this with gnostic's ParseDocument; this is the same mapping
// for the keys the served document uses: camelCase keys become gnostic's snake_case fields,
// maps become ordered (name, value) lists, and x- extensions, defaults and enum values are
// carried as their YAML text, which is where kubectl reads x-kubernetes-group-version-kind.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import YAML from 'yaml';

type Json = Record<string, any>;
type Msg = Record<string, unknown>;

let documentType: protobuf.Type | undefined;

function protoFile(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto', 'openapiv2', 'OpenAPIv2.proto');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('proto/openapiv2/OpenAPIv2.proto not found above ' + fileURLToPath(import.meta.url));
  }
}

function docType(): protobuf.Type {
  // google/protobuf/any.proto comes bundled with protobufjs.
  documentType ??= new protobuf.Root().loadSync(protoFile(), { keepCase: true }).lookupType('openapi.v2.Document');
  return documentType;
}

const anyOf = (v: unknown): Msg => ({ yaml: YAML.stringify(v) });

function extensions(o: Json): Msg[] {
  return Object.keys(o).filter((k) => k.startsWith('x-')).map((name) => ({ name, value: anyOf(o[name]) }));
}

function named<T>(o: Json | undefined, each: (v: any) => T): Array<{ name: string; value: T }> {
  return Object.entries(o ?? {}).map(([name, v]) => ({ name, value: each(v) }));
}

/** Copies the keys present in `o` under their proto names. */
function pick(o: Json, names: Record<string, string>): Msg {
  const out: Msg = {};
  for (const [json, field] of Object.entries(names)) if (o[json] !== undefined) out[field] = o[json];
  return out;
}

const SCHEMA_SCALARS = {
  $ref: '_ref', format: 'format', title: 'title', description: 'description', multipleOf: 'multiple_of', maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum', minimum: 'minimum', exclusiveMinimum: 'exclusive_minimum', maxLength: 'max_length',
  minLength: 'min_length', pattern: 'pattern', maxItems: 'max_items', minItems: 'min_items', uniqueItems: 'unique_items',
  maxProperties: 'max_properties', minProperties: 'min_properties', required: 'required', discriminator: 'discriminator', readOnly: 'read_only',
};

/** A JSON schema; keys Swagger 2.0 has no place for (oneOf, anyOf, nullable, …) are dropped, as v2 publishing drops them. */
export function schemaToProto(s: Json): Msg {
  const out = pick(s, SCHEMA_SCALARS);
  if (s.default !== undefined) out.default = anyOf(s.default);
  if (s.example !== undefined) out.example = anyOf(s.example);
  if (Array.isArray(s.enum)) out.enum = s.enum.map(anyOf);
  if (s.type !== undefined) out.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  if (s.items !== undefined) out.items = { schema: (Array.isArray(s.items) ? s.items : [s.items]).map(schemaToProto) };
  if (typeof s.additionalProperties === 'boolean') out.additional_properties = { boolean: s.additionalProperties };
  else if (s.additionalProperties) out.additional_properties = { schema: schemaToProto(s.additionalProperties) };
  if (s.allOf) out.all_of = s.allOf.map(schemaToProto);
  if (s.properties) out.properties = { additional_properties: named(s.properties, schemaToProto) };
  out.vendor_extension = extensions(s);
  return out;
}

function parameterToProto(p: Json): Msg | undefined {
  if (p.$ref) return { json_reference: pick(p, { $ref: '_ref', description: 'description' }) };
  if (p.in === 'body') {
    return { parameter: { body_parameter: { ...pick(p, { description: 'description', name: 'name', in: 'in', required: 'required' }), schema: schemaToProto(p.schema ?? {}), vendor_extension: extensions(p) } } };
  }
  const sub: Msg = {
    ...pick(p, { required: 'required', in: 'in', description: 'description', name: 'name', type: 'type', format: 'format', collectionFormat: 'collection_format', uniqueItems: 'unique_items' }),
    ...(p.default !== undefined ? { default: anyOf(p.default) } : {}),
    vendor_extension: extensions(p),
  };
  if (p.in === 'path') return { parameter: { non_body_parameter: { path_parameter_sub_schema: sub } } };
  if (p.in === 'query') return { parameter: { non_body_parameter: { query_parameter_sub_schema: { ...sub, ...pick(p, { allowEmptyValue: 'allow_empty_value' }) } } } };
  if (p.in === 'header') return { parameter: { non_body_parameter: { header_parameter_sub_schema: sub } } };
  // formData parameters: no Kubernetes API takes them; an aggregated server's are left out
  return undefined;
}

const parameterList = (ps: Json[] | undefined): Msg[] => (ps ?? []).map(parameterToProto).filter((x): x is Msg => x !== undefined);

function operationToProto(op: Json): Msg {
  return {
    ...pick(op, { tags: 'tags', summary: 'summary', description: 'description', operationId: 'operation_id', produces: 'produces', consumes: 'consumes', schemes: 'schemes', deprecated: 'deprecated' }),
    parameters: parameterList(op.parameters),
    responses: {
      response_code: named(op.responses, (r: Json) => (r.$ref
        ? { json_reference: { _ref: r.$ref } }
        : { response: { description: r.description ?? '', ...(r.schema ? { schema: { schema: schemaToProto(r.schema) } } : {}), vendor_extension: extensions(r) } })),
    },
    vendor_extension: extensions(op),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function pathItemToProto(item: Json): Msg {
  const out: Msg = { parameters: parameterList(item.parameters), vendor_extension: extensions(item) };
  for (const m of METHODS) if (item[m]) out[m] = operationToProto(item[m]);
  return out;
}

export function swaggerToProto(doc: Json): Msg {
  return {
    ...pick(doc, { swagger: 'swagger', host: 'host', basePath: 'base_path', schemes: 'schemes', consumes: 'consumes', produces: 'produces' }),
    info: { ...pick(doc.info ?? {}, { title: 'title', version: 'version', description: 'description' }), vendor_extension: extensions(doc.info ?? {}) },
    paths: { path: named(doc.paths, pathItemToProto) },
    definitions: { additional_properties: named(doc.definitions, schemaToProto) },
    // a shared parameter is a Parameter, not a ParametersItem (a reference cannot stand here)
    ...(doc.parameters ? { parameters: { additional_properties: named(doc.parameters, (p: Json) => parameterToProto(p)?.parameter ?? {}) } } : {}),
    security: (doc.security ?? []).map((req: Json) => ({ additional_properties: named(req, (scopes: string[]) => ({ value: scopes })) })),
    security_definitions: {
      additional_properties: named(doc.securityDefinitions, (d: Json) => {
        if (d.type !== 'apiKey') throw new Error(`openapi v2 protobuf: security definition type ${d.type} is not supported`);
        return { api_key_security: { ...pick(d, { type: 'type', name: 'name', in: 'in', description: 'description' }), vendor_extension: extensions(d) } };
      }),
    },
    vendor_extension: extensions(doc),
  };
}

/** The protobuf bytes of a Swagger 2.0 JSON document. */
export function encodeSwaggerProto(doc: Json): Buffer {
  const t = docType();
  return Buffer.from(t.encode(t.fromObject(swaggerToProto(doc))).finish());
}

/** Decodes the bytes back to a plain object with gnostic's field names (for tests and debugging). */
export function decodeSwaggerProto(bytes: Uint8Array): Json {
  const t = docType();
  return t.toObject(t.decode(bytes), { longs: Number, arrays: false, defaults: false, oneofs: false }) as Json;
}
