// A JSON object to the plain object protobufjs encodes with the message's field numbers.
// Keys the message does not know are dropped, as Go's decoder drops unknown JSON fields.
import protobuf from 'protobufjs';
import { INLINE_FIELDS, jsonName } from './field-rules.js';
import { SPECIAL_CODECS, listWrapper } from './special-types.js';

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function scalarFromJSON(field: protobuf.Field, value: any, where: string): unknown {
  if (field.type === 'bytes') {
    if (typeof value !== 'string') throw new TypeError(`${where}: expected a base64 string`);
    return Buffer.from(value, 'base64');
  }
  if (field.type === 'string') return typeof value === 'string' ? value : String(value);
  if (field.type === 'bool') {
    if (typeof value !== 'boolean') throw new TypeError(`${where}: expected a boolean, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'number') throw new TypeError(`${where}: expected a number, got ${JSON.stringify(value)}`);
  return LONG_TYPES.has(field.type) ? Math.trunc(value) : value;
}

function valueFromJSON(field: protobuf.Field, value: any, where: string): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return scalarFromJSON(field, value, where);
  const special = SPECIAL_CODECS[t.fullName] ?? listWrapper(t.name);
  if (special) return special.fromJSON(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${where}: expected an object`);
  return messageFromJSON(t, value, where);
}

export function messageFromJSON(type: protobuf.Type, obj: Record<string, any>, where = type.name): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const at = `${where}.${field.name}`;
    if (INLINE_FIELDS.has(`${type.name}.${field.name}`)) {
      out[field.name] = messageFromJSON(field.resolvedType as protobuf.Type, obj, where);
      continue;
    }
    const value = obj[jsonName(type.name, field.name)];
    if (value === undefined || value === null) continue;
    if (field.map) {
      if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${at}: expected an object`);
      const map: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== null) map[k] = valueFromJSON(field, v, `${at}[${k}]`);
      out[field.name] = map;
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new TypeError(`${at}: expected a list`);
      out[field.name] = value.map((v, i) => valueFromJSON(field, v, `${at}[${i}]`));
    } else {
      out[field.name] = valueFromJSON(field, value, at);
    }
  }
  return out;
}
