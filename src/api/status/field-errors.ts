/**
 * Per-field validation errors (upstream's field.Error) and the text they render to.
 * They become the `causes` of an Invalid (422) Status and its aggregated message.
 */
import { goQuote } from './go-quote.js';
import type { FieldPath } from './field-path.js';

/** Cause reasons as sent in Status.details.causes[].reason. */
export const FieldErrorTypes = {
  NotFound: 'FieldValueNotFound',
  Required: 'FieldValueRequired',
  Duplicate: 'FieldValueDuplicate',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  Internal: 'InternalError',
  TypeInvalid: 'FieldValueTypeInvalid',
} as const;

export type FieldErrorType = (typeof FieldErrorTypes)[keyof typeof FieldErrorTypes];

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a value that must not appear in the message (upstream's omitValue). */
export const OMIT_VALUE = Symbol('omitValue');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue: unknown;
  detail: string;
}

type PathLike = string | FieldPath;
const str = (p: PathLike): string => String(p);
const mk = (type: FieldErrorType, field: PathLike, badValue: unknown, detail = ''): FieldError => ({
  type, field: str(field), badValue, detail,
});

/** `Required value` (+ `: detail`). */
export const required = (field: PathLike, detail = ''): FieldError => mk('FieldValueRequired', field, '', detail);
/** `Invalid value: <value>: detail`. */
export const invalid = (field: PathLike, value: unknown, detail = ''): FieldError => mk('FieldValueInvalid', field, value, detail);
/** `Not found: <value>`. */
export const notFound = (field: PathLike, value: unknown): FieldError => mk('FieldValueNotFound', field, value);
/** `Duplicate value: <value>`. */
export const duplicate = (field: PathLike, value: unknown): FieldError => mk('FieldValueDuplicate', field, value);
/** `Forbidden: detail`. */
export const forbidden = (field: PathLike, detail = ''): FieldError => mk('FieldValueForbidden', field, '', detail);
/** `Internal error: detail`. */
export const internalError = (field: PathLike, err: Error | string): FieldError =>
  mk('InternalError', field, null, typeof err === 'string' ? err : err.message);
/** `Invalid value: <value>: detail` with reason FieldValueTypeInvalid. */
export const typeInvalid = (field: PathLike, value: unknown, detail = ''): FieldError => mk('FieldValueTypeInvalid', field, value, detail);

/** `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: PathLike, value: unknown, validValues: readonly string[] = []): FieldError {
  const detail = validValues.length ? 'supported values: ' + validValues.map((v) => goQuote(String(v))).join(', ') : '';
  return mk('FieldValueNotSupported', field, value, detail);
}

/** `Too long: may not be more than N bytes` (the value itself is never printed). */
export function tooLong(field: PathLike, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return mk('FieldValueTooLong', field, OMIT_VALUE, detail);
}

/** `Too many: <actual>: must have at most N items`. */
export function tooMany(field: PathLike, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return mk('FieldValueTooMany', field, actual >= 0 ? actual : OMIT_VALUE, detail);
}

/** The part after `field: `, e.g. `Unsupported value: "Sometimes": supported values: ...`. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  const valueless = e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden'
    || e.type === 'FieldValueTooLong' || e.type === 'InternalError' || e.badValue === OMIT_VALUE;
  if (!valueless) s += ': ' + formatValue(e.badValue);
  if (e.detail) s += ': ' + e.detail;
  return s;
}

/** `field: body`, as field.Error.Error() prints it. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/**
 * Joins errors as upstream's aggregate does: duplicates dropped, one error printed
 * bare, several wrapped as `[a, b]`. Returns '' for an empty list.
 */
export function aggregateFieldErrors(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = fieldErrorString(e);
    if (!seen.has(m)) { seen.add(m); msgs.push(m); }
  }
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0];
  return '[' + msgs.join(', ') + ']';
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  // Go's %#v of a []string, the common non-scalar bad value.
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => goQuote(x)).join(', ')}}`;
  if (typeof v === 'object' && typeof (v as { toString?: unknown }).toString === 'function'
    && (v as object).toString !== Object.prototype.toString && !Array.isArray(v)) return String(v);
  return JSON.stringify(v);
}
