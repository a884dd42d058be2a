/**
 * Label selectors as upstream parses, prints and matches them
 * (`app=web,tier!=db`, `env in (prod,qa)`, `!canary`, `release`).
 */
import { ApiError, newBadRequest, aggregateFieldErrors, goQuote, invalid, notSupported, type FieldError } from '../status/index.js';
import { isQualifiedName, isValidLabelValue } from './name-validation.js';
import { lexLabelSelector, type Token, type TokenType } from './label-lexer.js';

/** upstream's selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and without duplicates, as upstream keeps them. */
  values: string[];
}

export type Labels = Readonly<Record<string, string>> | undefined | null;

const allOperators: LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** A parsed selector: the AND of its requirements, sorted by key. */
export class LabelSelector {
  private constructor(readonly requirements: readonly Requirement[], private readonly matchesNothing = false) {}

  /** Matches every object (the empty selector). */
  static everything(): LabelSelector { return new LabelSelector([]); }
  /** Matches no object (a nil metav1.LabelSelector). */
  static nothing(): LabelSelector { return new LabelSelector([], true); }

  /** Builds a selector from requirements, validating each one (throws 400 BadRequest). */
  static of(reqs: readonly Requirement[]): LabelSelector {
    const checked = reqs.map((r) => newRequirement(r.key, r.operator, r.values));
    return new LabelSelector(sortByKey(checked));
  }

  /** True when `labels` satisfies every requirement. */
  matches(labels: Labels): boolean {
    if (this.matchesNothing) return false;
    // A plain loop: schedulers and watch filters call this per pod per node.
    const l = labels ?? EMPTY;
    for (const r of this.requirements) if (!requirementMatches(r, l)) return false;
    return true;
  }

  /** True for the selector that selects everything. */
  isEmpty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** If the selector pins `key` to one value (`=`, `==` or a one-value `in`), that value. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    }
    return undefined;
  }

  /** Upstream's canonical text: `a=b,c in (x,y),!d`. */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** One requirement's text: `key`, `!key`, `key=v`, `key in (a,b)`, `key>3`. */
export function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return '!' + r.key;
    case 'in': return `${r.key} in (${r.values.join(',')})`;
    case 'notin': return `${r.key} notin (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt': return `${r.key}<${r.values[0] ?? ''}`;
    default: return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  if (r.operator === 'in' || r.operator === '=' || r.operator === '==') {
    // The common case, without the own-property check: an inherited member is never a string.
    const v = labels[r.key];
    return typeof v === 'string' && (r.values.length === 1 ? r.values[0] === v : r.values.includes(v));
  }
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'notin': case '!=': return !has || !r.values.includes(v!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(v!)) return false;
      if (r.values.length !== 1 || !/^[+-]?\d+$/.test(r.values[0])) return false;
      const a = BigInt(v!);
      const b = BigInt(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

const sortByKey = (rs: Requirement[]): Requirement[] => [...rs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** Validates one requirement as upstream's NewRequirement does; throws 400 BadRequest. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[], path = ''): Requirement {
  const p = (s: string): string => (path ? `${path}.${s}` : s);
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalid(p('key'), key, keyErrs.join('; ')));
  const vals = [...values];
  switch (operator) {
    case 'in': case 'notin':
      if (vals.length === 0) errs.push(invalid(p('values'), vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (vals.length !== 1) errs.push(invalid(p('values'), vals, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (vals.length !== 0) errs.push(invalid(p('values'), vals, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (vals.length !== 1) errs.push(invalid(p('values'), vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) errs.push(invalid(`${p('values')}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(notSupported(p('operator'), operator, allOperators));
  }
  vals.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalid(`${p('values')}[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length) throw newBadRequest(aggregateFieldErrors(errs));
  return { key, operator, values: [...new Set(vals)].sort() };
}

/**
 * Parses a selector string (`labelSelector=` query parameter). Throws 400 BadRequest
 * with upstream's parser message, e.g. `unable to parse requirement: found '', expected: in, notin, =, ==, !=, gt, lt`.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const reqs = new Parser(lexLabelSelector(selector)).parse();
  return LabelSelector.of(reqs);
}

class ParseError extends Error {}

/** Recursive descent over the token list, mirroring upstream's parser and its messages. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  /** In value position `in`/`notin` are plain identifiers. */
  private peek(values: boolean): Token {
    const t = this.tokens[Math.min(this.pos, this.tokens.length - 1)];
    return values && (t.type === 'in' || t.type === 'notIn') ? { type: 'identifier', literal: t.literal } : t;
  }

  private next(values: boolean): Token {
    const t = this.peek(values);
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.peek(true);
      if (t.type === 'eos') return reqs;
      if (t.type !== 'identifier' && t.type !== 'doesNotExist') {
        throw newBadRequest(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (!(e instanceof ParseError || e instanceof ApiError)) throw e;
        throw newBadRequest(`unable to parse requirement: ${e.message}`);
      }
      const after = this.next(true);
      if (after.type === 'eos') return reqs;
      if (after.type !== 'comma') throw newBadRequest(`found '${after.literal}', expected: ',' or 'end of string'`);
      const t2 = this.peek(true);
      if (t2.type !== 'identifier' && t2.type !== 'doesNotExist') {
        throw newBadRequest(`found '${t2.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let tok = this.next(true);
    let op: LabelOperator | undefined;
    if (tok.type === 'doesNotExist') {
      op = '!';
      tok = this.next(true);
    }
    if (tok.type !== 'identifier') throw new ParseError(`found '${tok.literal}', expected: identifier`);
    const key = tok.literal;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new ParseError(`<nil>: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
    const la = this.peek(true).type;
    if (la === 'eos' || la === 'comma') {
      if (op !== '!') op = 'exists';
    }
    if (op === 'exists' || op === '!') return newRequirement(key, op, []);
    op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, values);
  }

  private parseOperator(): LabelOperator {
    const t = this.next(false);
    const ops: Partial<Record<TokenType, LabelOperator>> = {
      in: 'in', equals: '=', doubleEquals: '==', greaterThan: 'gt', lessThan: 'lt', notIn: 'notin', notEquals: '!=',
    };
    const op = ops[t.type];
    if (!op) throw new ParseError(`found '${t.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  private parseValues(): string[] {
    const open = this.next(true);
    if (open.type !== 'openPar') throw new ParseError(`found '${open.literal}' expected: '('`);
    const t = this.peek(true);
    if (t.type === 'identifier' || t.type === 'comma') {
      const vals = this.parseIdentifierList();
      if (this.next(true).type !== 'closedPar') throw new ParseError(`found '${t.literal}', expected: ')'`);
      return vals;
    }
    if (t.type === 'closedPar') {
      this.next(true);
      return [''];
    }
    throw new ParseError(`found '${t.literal}', expected: ',', ')' or identifier`);
  }

  private parseIdentifierList(): string[] {
    const vals = new Set<string>();
    for (;;) {
      const t = this.next(true);
      if (t.type === 'identifier') {
        vals.add(t.literal);
        const t2 = this.peek(true);
        if (t2.type === 'comma') continue;
        if (t2.type === 'closedPar') return [...vals];
        throw new ParseError(`found '${t2.literal}', expected: ',' or ')'`);
      }
      if (t.type === 'comma') {
        if (vals.size === 0) vals.add(''); // "(,"
        const t2 = this.peek(true);
        if (t2.type === 'closedPar') { vals.add(''); return [...vals]; } // ",)"
        if (t2.type === 'comma') { this.next(true); vals.add(''); } // ",,"
        continue;
      }
      throw new ParseError(`found '${t.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const la = this.peek(true).type;
    if (la === 'eos' || la === 'comma') return [''];
    const t = this.next(true);
    if (t.type === 'identifier') return [t.literal];
    throw new ParseError(`found '${t.literal}', expected: identifier`);
  }
}
