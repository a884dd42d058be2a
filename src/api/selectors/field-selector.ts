/**
 * Field selectors (`fieldSelector=spec.nodeName=n1,status.phase!=Running`): ANDed
 * equality terms on dotted field paths. Which paths a resource supports is the
 * caller's to say; metadata.name and metadata.namespace are supported everywhere.
 */
import { newBadRequest } from '../status/index.js';

export interface FieldTerm {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Field name to its string value, as a resource exposes them for selection. */
export type FieldSet = Readonly<Record<string, string>>;

export class FieldSelector {
  /** Terms in upstream's order (sorted by their text). */
  constructor(readonly terms: readonly FieldTerm[]) {}

  static everything(): FieldSelector { return new FieldSelector([]); }

  /** Every term holds for `fields` (a missing field counts as ""). */
  matches(fields: FieldSet): boolean {
    return this.terms.every((t) => ((fields[t.field] ?? '') === t.value) === (t.operator === '='));
  }

  isEmpty(): boolean { return this.terms.length === 0; }

  /** The value `field` must equal, when one `=` term pins it (used to index lists). */
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.operator === '=')?.value;
  }

  /** Canonical text, values escaped. */
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  }
}

/** Escapes `\`, `,` and `=` in a field value. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => '\\' + c);
}

function unescapeFieldValue(v: string): string {
  if (!/[\\,=]/.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n === '\\' || n === ',' || n === '=') { out += n; i++; continue; }
      throw newBadRequest(`invalid field selector: invalid escape sequence: ${n === undefined ? '\\' : '\\' + n}`);
    }
    if (c === ',' || c === '=') throw newBadRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    out += c;
  }
  return out;
}

/** Splits on commas not escaped by a backslash. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === ',') { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * Parses a field selector; with `supported`, also rejects other fields with upstream's
 * `field label not supported: spec.foo`. Throws 400 BadRequest.
 */
export function parseFieldSelector(selector: string, supported?: Iterable<string>): FieldSelector {
  const parts = splitTerms(selector).sort();
  const allowed = supported ? new Set(['metadata.name', 'metadata.namespace', ...supported]) : undefined;
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const m = splitTerm(part);
    if (!m) throw newBadRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, rhs] = m;
    if (allowed && !allowed.has(field)) throw newBadRequest(`field label not supported: ${field}`);
    terms.push({ field, operator: op === '!=' ? '!=' : '=', value: unescapeFieldValue(rhs) });
  }
  return new FieldSelector(terms);
}

/** First position where `!=`, `==` or `=` starts (in that preference). */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/**
 * Reads the named dotted paths from an object as strings (booleans and numbers as Go
 * prints them, missing as ""), to build a FieldSet for matching.
 */
export function objectFieldSet(obj: unknown, paths: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    let cur: unknown = obj;
    for (const seg of p.split('.')) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    out[p] = cur === undefined || cur === null ? '' : typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
  }
  return out;
}
