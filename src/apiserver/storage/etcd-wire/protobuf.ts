// The protobuf wire format, as much of it as etcd's KV messages use: varints (int64, bool,
// enums) and length-delimited fields (bytes, nested messages). Numbers stay JavaScript numbers:
// revisions, counts and lease IDs in a Kubernetes store are far below 2^53.

/** Field tags: field number and wire type (0 varint, 2 length-delimited). */
export const tag = (field: number, wireType: 0 | 2): number => (field << 3) | wireType;

/** Builds one message; nested messages are built first and written as bytes. */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 256) { this.buf = Buffer.allocUnsafe(size); }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint; negative int64 values take ten bytes (two's complement), as protobuf writes them. */
  varint(v: number): this {
    this.room(10);
    if (v < 0) {
      let b = BigInt.asUintN(64, BigInt(v));
      while (b > 0x7fn) { this.buf[this.pos++] = Number(b & 0x7fn) | 0x80; b >>= 7n; }
      this.buf[this.pos++] = Number(b);
      return this;
    }
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** A varint field, left out when zero (proto3's default). */
  uint(field: number, v: number | string | boolean | undefined): this {
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v ?? 0);
    if (n === 0) return this;
    return this.varint(tag(field, 0)).varint(n);
  }

  /** An int64 field that may exceed 2^53 (lease IDs are random 63-bit numbers): exact from a decimal string. */
  int64(field: number, v: number | string | undefined): this {
    if (typeof v !== 'string' || v.length < 16) return this.uint(field, v);
    let b = BigInt.asUintN(64, BigInt(v));
    if (b === 0n) return this;
    this.varint(tag(field, 0));
    this.room(10);
    while (b > 0x7fn) { this.buf[this.pos++] = Number(b & 0x7fn) | 0x80; b >>= 7n; }
    this.buf[this.pos++] = Number(b);
    return this;
  }

  /** A length-delimited field, left out when empty unless `always`. */
  bytes(field: number, b: Uint8Array | undefined, always = false): this {
    if (!b || (b.length === 0 && !always)) return this;
    this.varint(tag(field, 2)).varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  finish(): Buffer { return this.buf.subarray(0, this.pos); }
}

/** Reads one message's fields in order; the caller switches on `field` and calls the matching read. */
export class ProtoReader {
  pos: number;
  field = 0;
  wireType = 0;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) { this.pos = start; }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const t = this.varint();
    this.field = t >>> 3;
    this.wireType = t & 7;
    return true;
  }

  /** A varint as a number (int64 values above 2^53 lose precision; negative ones are read as such). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        // Ten-byte varints are negative int64s; 2^64 - x back to -x.
        return i === 9 || result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      scale *= 0x80;
    }
    throw new Error('protobuf: varint longer than ten bytes');
  }

  /** An int64 varint as an exact decimal string (lease IDs use all 63 bits). */
  int64(): string {
    const start = this.pos;
    const n = this.varint();
    if (Number.isSafeInteger(n)) return String(n);
    let b = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++, shift += 7n) b |= BigInt(this.buf[p] & 0x7f) << shift;
    return BigInt.asIntN(64, b).toString();
  }

  /** The bounds of a length-delimited field's contents (no copy). */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new Error('protobuf: field runs past the end of its message');
    this.pos += len;
    return [start, start + len];
  }

  /** A bytes field as a view of the message (valid as long as the message buffer is). */
  bytes(): Buffer {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  /** Skips a field this reader does not use. */
  skip(): void {
    switch (this.wireType) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; return;
      case 2: this.span(); return;
      case 5: this.pos += 4; return;
      default: throw new Error(`protobuf: unsupported wire type ${this.wireType}`);
    }
  }
}
