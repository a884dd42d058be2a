// Just enough DER (X.690) to write an X.509 certificate and to find the parts of one that a
// new certificate repeats (the issuer's subject). Writing certificates ourselves over
// node:crypto spares `tskube up` loading an ASN.1 library at start (see issue.ts).
export type Der = Buffer;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, content: Buffer): Der => Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
export const sequence = (...items: Der[]): Der => tlv(0x30, Buffer.concat(items));
export const set = (...items: Der[]): Der => tlv(0x31, Buffer.concat(items));
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);
export const octets = (b: Buffer): Der => tlv(0x04, b);
export const boolean = (v: boolean): Der => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nullValue = (): Der => Buffer.from([0x05, 0x00]);
export const utf8 = (s: string): Der => tlv(0x0c, Buffer.from(s, 'utf8'));

/** A non-negative INTEGER from big-endian bytes, in its shortest form. */
export function unsigned(bytes: Buffer): Der {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

export function oid(dotted: string): Der {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out: number[] = [40 * a + b];
  for (const v of rest) {
    const groups: number[] = [];
    let x = v;
    do { groups.unshift(x & 0x7f); x = Math.floor(x / 128); } while (x > 0);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING whose bits are all used (a key or a signature). */
export const bits = (b: Buffer): Der => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

/** A named-bit list (KeyUsage): bit 0 is the first bit of the first byte; trailing zero bits left out, as DER wants. */
export function namedBits(set: number[]): Der {
  const top = Math.max(...set);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const n of set) bytes[Math.floor(n / 8)] |= 0x80 >> (n % 8);
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (top % 8)]), bytes]));
}

/** RFC 5280's Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Der {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

export interface Element { tag: number; start: number; contentStart: number; end: number }

/** The element at `at` in `buf`: its tag, where its content starts and where it ends. */
export function readElement(buf: Buffer, at: number): Element {
  const tag = buf[at];
  let len = buf[at + 1];
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > buf.length) throw new Error('DER: element runs past the end of its input');
  return { tag, start: at, contentStart: p, end: p + len };
}

/** The elements directly inside a constructed element. */
export function children(buf: Buffer, parent: Element): Element[] {
  const out: Element[] = [];
  for (let p = parent.contentStart; p < parent.end;) {
    const e = readElement(buf, p);
    out.push(e);
    p = e.end;
  }
  return out;
}
