// Form decoding as Go's net/http does it for etcd: URL query plus, for POST/PUT/PATCH with an
// application/x-www-form-urlencoded body, the body's fields first. Values are lists; the first
// one wins. Malformed escapes are errors with Go's wording, which etcd puts in error 210.
import type { IncomingMessage } from 'node:http';

export type Form = Map<string, string[]>;

/** Go caps a urlencoded body at 10 MB. */
const MAX_FORM_BYTES = 10 << 20;

export class FormError extends Error {}

/** Percent-decoding of a byte string (Node gives URLs and we read bodies as latin1). */
export function unescape(s: string, plusIsSpace = true): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new FormError(`invalid URL escape "${s.slice(i, i + 3)}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '+' && plusIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(ch.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's url.ParseQuery: keeps going after an error but reports the first one. */
export function parseQuery(q: string, into: Form): void {
  let first: FormError | undefined;
  for (const part of q.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) {
      first ??= new FormError('invalid semicolon separator in query');
      continue;
    }
    const eq = part.indexOf('=');
    const [rk, rv] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      const k = unescape(rk);
      const v = unescape(rv);
      const list = into.get(k);
      if (list) list.push(v);
      else into.set(k, [v]);
    } catch (e) {
      first ??= e as FormError;
    }
  }
  if (first) throw first;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_FORM_BYTES) throw new FormError('http: POST too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('latin1');
}

/** Body fields (if any) then query fields, like Go's Request.ParseForm. */
export async function parseForm(req: IncomingMessage, rawQuery: string): Promise<Form> {
  const form: Form = new Map();
  let err: FormError | undefined;
  const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
    // read the body in every case so the connection stays usable
    const body = await readBody(req);
    if (ct === 'application/x-www-form-urlencoded') {
      try {
        parseQuery(body, form);
      } catch (e) {
        err = e as FormError;
      }
    }
  } else {
    req.resume();
  }
  try {
    parseQuery(rawQuery, form);
  } catch (e) {
    err ??= e as FormError;
  }
  if (err) throw err;
  return form;
}
