/**
 * Tokens of upstream's label selector grammar. Identifiers are any run of bytes that
 * are neither whitespace nor one of `= ! ( ) , > <`; `in` and `notin` are keywords.
 */

export type TokenType =
  | 'error' | 'eos' | 'closedPar' | 'comma' | 'doesNotExist' | 'doubleEquals' | 'equals'
  | 'greaterThan' | 'identifier' | 'in' | 'lessThan' | 'notEquals' | 'notIn' | 'openPar';

export interface Token { type: TokenType; literal: string }

const symbols: Record<string, TokenType> = {
  ')': 'closedPar', ',': 'comma', '!': 'doesNotExist', '==': 'doubleEquals', '=': 'equals',
  '>': 'greaterThan', '<': 'lessThan', '!=': 'notEquals', '(': 'openPar',
};
const keywords: Record<string, TokenType> = { in: 'in', notin: 'notIn' };

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

/** Splits a selector into tokens, always ending with an `eos` token. */
export function lexLabelSelector(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < input.length && isWhitespace(input[i])) i++;
    if (i >= input.length || input[i] === '\0') {
      out.push({ type: 'eos', literal: '' });
      return out;
    }
    if (isSpecial(input[i])) {
      // Longest run of symbol characters that is still a known symbol.
      let buf = '';
      let last: Token | undefined;
      while (i < input.length && isSpecial(input[i])) {
        buf += input[i];
        const t = Object.hasOwn(symbols, buf) ? symbols[buf] : undefined;
        if (t) { last = { type: t, literal: buf }; i++; continue; }
        if (last) break;
        i++;
      }
      out.push(last ?? { type: 'error', literal: `error expected: keyword found '${buf}'` });
      continue;
    }
    let word = '';
    while (i < input.length && !isSpecial(input[i]) && !isWhitespace(input[i]) && input[i] !== '\0') word += input[i++];
    out.push({ type: (Object.hasOwn(keywords, word) && keywords[word]) || 'identifier', literal: word }); // not 'constructor' from the prototype
  }
}
