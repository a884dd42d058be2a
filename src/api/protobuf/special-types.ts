// Messages whose JSON form is not an object of their fields: Time, MicroTime, Duration,
// IntOrString, Quantity, RawExtension, FieldsV1, and Go slice types (Verbs, ExtraValue).
import type Long from 'long';
import { isZeroTime, formatDuration, formatMicroTime, formatTime, parseDuration, parseTime } from './go-time.js';
import { LIST_WRAPPERS } from './field-rules.js';

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1.';

export const SPECIAL = {
  time: `${META}Time`,
  microTime: `${META}MicroTime`,
  duration: `${META}Duration`,
  fieldsV1: `${META}FieldsV1`,
  intOrString: '.k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  quantity: '.k8s.io.apimachinery.pkg.api.resource.Quantity',
  quantityValue: '.k8s.io.apimachinery.pkg.api.resource.QuantityValue',
  rawExtension: '.k8s.io.apimachinery.pkg.runtime.RawExtension',
} as const;

export const toNumber = (v: number | Long | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
const toBigInt = (v: number | Long | undefined): bigint => (v === undefined ? 0n : BigInt(v.toString()));

export interface SpecialCodec {
  /** Decoded message → JSON value; undefined leaves the field out (Go prints null). */
  toJSON(msg: any, nested: (raw: Buffer) => unknown): unknown;
  /** JSON value → plain message object for protobufjs encode. */
  fromJSON(value: any): Record<string, unknown>;
}

function timeCodec(format: (s: number, n: number) => string): SpecialCodec {
  return {
    toJSON(msg) {
      const seconds = toNumber(msg.seconds);
      const nanos = msg.nanos ?? 0;
      return isZeroTime(seconds, nanos) ? undefined : format(seconds, nanos);
    },
    fromJSON(value) {
      if (typeof value !== 'string') throw new TypeError(`expected an RFC3339 time string, got ${JSON.stringify(value)}`);
      return parseTime(value);
    },
  };
}

function rawJSON(field: string): SpecialCodec {
  return {
    toJSON(msg, nested) {
      const raw: Buffer | undefined = msg[field];
      if (!raw || raw.length === 0) return undefined;
      return nested(Buffer.from(raw));
    },
    // Written as JSON bytes, which every decoder (Go's too) accepts inside the raw field.
    fromJSON: (value) => ({ [field]: Buffer.from(JSON.stringify(value)) }),
  };
}

const quantity: SpecialCodec = {
  toJSON: (msg) => msg.string ?? '0',
  fromJSON: (value) => ({ string: String(value) }),
};

export const SPECIAL_CODECS: Record<string, SpecialCodec> = {
  [SPECIAL.time]: timeCodec((s) => formatTime(s)),
  [SPECIAL.microTime]: timeCodec(formatMicroTime),
  [SPECIAL.duration]: {
    toJSON: (msg) => formatDuration(toBigInt(msg.duration)),
    fromJSON(value) {
      if (typeof value !== 'string') throw new TypeError(`expected a duration string, got ${JSON.stringify(value)}`);
      return { duration: parseDuration(value).toString() };
    },
  },
  [SPECIAL.intOrString]: {
    toJSON: (msg) => (toNumber(msg.type) === 1 ? msg.strVal ?? '' : msg.intVal ?? 0),
    fromJSON: (value) => (typeof value === 'number' ? { type: 0, intVal: value, strVal: '' } : { type: 1, intVal: 0, strVal: String(value) }),
  },
  [SPECIAL.quantity]: quantity,
  [SPECIAL.quantityValue]: quantity,
  [SPECIAL.rawExtension]: rawJSON('raw'),
  [SPECIAL.fieldsV1]: rawJSON('Raw'),
};

export function listWrapper(typeName: string): SpecialCodec | undefined {
  if (!LIST_WRAPPERS.has(typeName)) return undefined;
  return {
    toJSON: (msg) => [...(msg.items ?? [])],
    fromJSON: (value) => ({ items: Array.isArray(value) ? value.map(String) : [] }),
  };
}
