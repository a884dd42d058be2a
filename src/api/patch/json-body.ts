/**
 * Parses a request body as JSON, reporting syntax errors in the words of Go's
 * encoding/json (which is what upstream's 400 BadRequest messages contain).
 */
import { newBadRequest } from '../status/index.js';

export function parseJsonBody(body: string | Buffer): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw newBadRequest(goJsonSyntaxMessage(text, e instanceof Error ? e.message : ''));
  }
}

function goJsonSyntaxMessage(text: string, nodeMessage: string): string {
  if (text.trim() === '' || /Unexpected end of JSON input|Unterminated/.test(nodeMessage)) return 'unexpected end of JSON input';
  const m = /position (\d+)/.exec(nodeMessage);
  let pos = m ? Number(m[1]) : -1;
  if (pos < 0) {
    // Node names the bad token instead for some inputs: find the first non-space char.
    pos = text.search(/\S/);
  }
  if (pos >= text.length) return 'unexpected end of JSON input';
  const c = text[pos];
  const before = text.slice(0, pos).trim();
  const printable = c === "'" ? "'\\''" : `'${c}'`;
  if (before === '') return `invalid character ${printable} looking for beginning of value`;
  const last = before[before.length - 1];
  if (last === '{' || last === ',') return `invalid character ${printable} looking for beginning of object key string`;
  if (last === ':' || last === '[') return `invalid character ${printable} looking for beginning of value`;
  if (/["\]}\d]|e$|l$/.test(last)) return `invalid character ${printable} after top-level value`;
  return `invalid character ${printable} looking for beginning of value`;
}
