// A decoded protobuf message to the JSON object the API server stores, the way Go gets
// there: into the struct, then encoding/json (see field-rules.ts for zero values).
import protobuf from 'protobufjs';
import { INLINE_FIELDS, jsonName, keepsZero } from './field-rules.js';
import { SPECIAL_CODECS, listWrapper, toNumber } from './special-types.js';

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

export type NestedDecoder = (raw: Buffer) => unknown;

function scalarToJSON(field: protobuf.Field, value: any): unknown {
  if (LONG_TYPES.has(field.type)) return toNumber(value);
  if (field.type === 'bytes') return Buffer.from(value).toString('base64');
  return value;
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

function valueToJSON(field: protobuf.Field, value: any, nested: NestedDecoder): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return scalarToJSON(field, value);
  const special = SPECIAL_CODECS[t.fullName] ?? listWrapper(t.name);
  if (special) return special.toJSON(value, nested);
  return messageToJSON(t, value, nested);
}

export function messageToJSON(type: protobuf.Type, msg: any, nested: NestedDecoder): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    const value = msg[field.name];
    const name = jsonName(type.name, field.name);
    if (field.map) {
      const keys = Object.keys(value ?? {});
      if (keys.length === 0) continue;
      const map: Record<string, unknown> = {};
      for (const k of keys) map[k] = valueToJSON(field, value[k], nested) ?? null;
      out[name] = map;
    } else if (field.repeated) {
      if (!value?.length) continue;
      out[name] = value.map((v: any) => valueToJSON(field, v, nested) ?? null);
    } else if (field.resolvedType instanceof protobuf.Type) {
      const json = valueToJSON(field, value, nested);
      if (json === undefined) continue;
      if (INLINE_FIELDS.has(`${type.name}.${field.name}`) && json && typeof json === 'object') Object.assign(out, json);
      else out[name] = json;
    } else {
      const json = scalarToJSON(field, value);
      if (isZero(json) && !keepsZero(type.name, field.name)) continue;
      out[name] = json;
    }
  }
  return out;
}
