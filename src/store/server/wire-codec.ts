// Protobuf codecs for etcd's messages in the object form the handlers use — proto-loader's
// (keepCase, int64 as decimal strings, enums as names, bytes as Buffers, defaults filled
// in, oneof names set) — built once per message type from the .proto reflection.
//
// Why: grpc-js with proto-loader turns every message through protobufjs's fromObject /
// toObject (a Message instance, a Long object per int64, a conversion per field), which was
// a large share of the server's CPU per request. These read and write the object form
// directly: one pass to decode, one scratch buffer to encode.
import protobuf from 'protobufjs';

type Wire = Record<string, any>;
type Kind = 'int64' | 'uint64' | 'int32' | 'uint32' | 'bool' | 'string' | 'bytes' | 'enum' | 'message';

interface Field {
  id: number;
  name: string;
  kind: Kind;
  repeated: boolean;
  /** the oneof this field belongs to (no default; the oneof's name records which is set) */
  oneof?: string;
  enumByName?: Record<string, number>;
  enumById?: Record<number, string>;
  type?: Codec;
}

const EMPTY = Buffer.alloc(0);
const SCALAR: Record<string, Kind> = {
  int64: 'int64',
  uint64: 'uint64',
  int32: 'int32',
  uint32: 'uint32',
  bool: 'bool',
  string: 'string',
  bytes: 'bytes',
};

export class Codec {
  private fields: Field[] = [];
  private byId: Array<Field | undefined> = [];
  private resolved = false;

  constructor(
    private readonly type: protobuf.Type,
    private readonly all: Map<protobuf.Type, Codec>,
  ) {}

  private resolve(): void {
    if (this.resolved) return;
    this.resolved = true;
    for (const f of this.type.fieldsArray) {
      f.resolve();
      const field: Field = { id: f.id, name: f.name, kind: 'message', repeated: f.repeated, oneof: f.partOf?.name };
      if (f.map) throw new Error(`wire-codec: map field ${this.type.name}.${f.name} is not supported`);
      if (f.resolvedType instanceof protobuf.Enum) {
        field.kind = 'enum';
        field.enumByName = f.resolvedType.values;
        field.enumById = f.resolvedType.valuesById;
      } else if (f.resolvedType instanceof protobuf.Type) {
        field.type = codecFor(f.resolvedType, this.all);
      } else {
        const k = SCALAR[f.type];
        if (!k) throw new Error(`wire-codec: field type ${f.type} of ${this.type.name}.${f.name} is not supported`);
        field.kind = k;
      }
      this.fields.push(field);
      this.byId[f.id] = field;
    }
  }

  // ---- decoding ----

  decode(buf: Buffer): Wire {
    this.resolve();
    rbuf = buf;
    rpos = 0;
    return this.read(buf.length);
  }

  private defaults(): Wire {
    const o: Wire = {};
    for (const f of this.fields) {
      if (f.repeated) o[f.name] = [];
      else if (f.oneof) continue;
      else o[f.name] = defaultOf(f);
    }
    return o;
  }

  private read(end: number): Wire {
    this.resolve();
    const o = this.defaults();
    while (rpos < end) {
      const tag = readVarint32();
      const id = tag >>> 3;
      const wt = tag & 7;
      const f = this.byId[id];
      if (!f) {
        skip(wt);
        continue;
      }
      if (f.repeated && wt === 2 && f.kind !== 'string' && f.kind !== 'bytes' && f.kind !== 'message') {
        const stop = readLength();
        const arr = o[f.name] as unknown[];
        while (rpos < stop) arr.push(readScalar(f));
        continue;
      }
      const v = f.kind === 'message' ? f.type!.read(readLength()) : readScalar(f);
      if (f.repeated) (o[f.name] as unknown[]).push(v);
      else {
        o[f.name] = v;
        if (f.oneof) o[f.oneof] = f.name;
      }
    }
    if (rpos !== end) throw new Error('wire-codec: message ends inside a field');
    return o;
  }

  // ---- encoding ----

  encode(obj: Wire): Buffer {
    this.resolve();
    wpos = 0;
    this.write(obj);
    return Buffer.from(wbuf.subarray(0, wpos));
  }

  private write(obj: Wire): void {
    this.resolve();
    for (const f of this.fields) {
      const v = obj[f.name];
      if (v === null || v === undefined) continue;
      if (f.repeated) {
        const arr = v as unknown[];
        if (arr.length === 0) continue;
        if (f.kind === 'message' || f.kind === 'string' || f.kind === 'bytes') {
          for (const item of arr) this.writeField(f, item, true);
        } else {
          // packed, as proto3 encodes repeated numbers
          writeVarint((f.id << 3) | 2);
          const start = beginLength();
          for (const item of arr) writeScalar(f, item);
          endLength(start);
        }
      } else {
        this.writeField(f, v, f.oneof !== undefined);
      }
    }
  }

  private writeField(f: Field, v: unknown, always: boolean): void {
    if (f.kind === 'message') {
      writeVarint((f.id << 3) | 2);
      const start = beginLength();
      f.type!.write(v as Wire);
      endLength(start);
      return;
    }
    if (!always && isDefault(f, v)) return;
    writeVarint((f.id << 3) | (f.kind === 'string' || f.kind === 'bytes' ? 2 : 0));
    writeScalar(f, v);
  }
}

function defaultOf(f: Field): unknown {
  switch (f.kind) {
    case 'int64':
    case 'uint64':
      return '0';
    case 'int32':
    case 'uint32':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return EMPTY;
    case 'enum':
      return f.enumById![0] ?? 0;
    default:
      return null;
  }
}

function isDefault(f: Field, v: unknown): boolean {
  switch (f.kind) {
    case 'int64':
    case 'uint64':
      return v === '0' || v === 0 || v === 0n || v === '';
    case 'int32':
    case 'uint32':
      return v === 0;
    case 'bool':
      return v === false;
    case 'string':
    case 'bytes':
      return (v as { length: number }).length === 0;
    case 'enum':
      return v === 0 || (typeof v === 'string' && f.enumByName![v] === 0);
    default:
      return false;
  }
}

// ---- reader state (decoding is synchronous, so one module-level cursor is enough) ----

let rbuf: Buffer = EMPTY;
let rpos = 0;

function truncated(): never {
  throw new Error('wire-codec: truncated message');
}

function readVarint32(): number {
  let v = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (rpos >= rbuf.length) truncated();
    const b = rbuf[rpos++];
    if (shift < 32) v |= (b & 0x7f) << shift;
    if (b < 0x80) return v >>> 0;
  }
  throw new Error('wire-codec: varint too long');
}

function readLength(): number {
  const len = readVarint32();
  const end = rpos + len;
  if (end > rbuf.length) truncated();
  return end;
}

/** a 64-bit varint as a decimal string, signed or unsigned */
function readVarint64(signed: boolean): string {
  const start = rpos;
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    if (rpos >= rbuf.length) truncated();
    const b = rbuf[rpos++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) return String(v);
    mul *= 128;
  }
  // beyond 49 bits: exact arithmetic
  rpos = start;
  let big = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (rpos >= rbuf.length) truncated();
    const b = rbuf[rpos++];
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return String(signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big));
  }
  throw new Error('wire-codec: varint too long');
}

function readScalar(f: Field): unknown {
  switch (f.kind) {
    case 'int64':
      return readVarint64(true);
    case 'uint64':
      return readVarint64(false);
    case 'int32':
      return readVarint32() | 0;
    case 'uint32':
      return readVarint32();
    case 'bool':
      return readVarint32() !== 0;
    case 'enum': {
      const n = readVarint32() | 0;
      return f.enumById![n] ?? n;
    }
    case 'string': {
      const end = readLength();
      const s = rbuf.toString('utf8', rpos, end);
      rpos = end;
      return s;
    }
    case 'bytes': {
      const end = readLength();
      const b = rbuf.subarray(rpos, end);
      rpos = end;
      return b;
    }
    default:
      throw new Error(`wire-codec: ${f.kind} is not a scalar`);
  }
}

function skip(wt: number): void {
  switch (wt) {
    case 0:
      readVarint32();
      return;
    case 1:
      rpos += 8;
      break;
    case 2:
      rpos = readLength();
      return;
    case 5:
      rpos += 4;
      break;
    default:
      throw new Error(`wire-codec: unsupported wire type ${wt}`);
  }
  if (rpos > rbuf.length) truncated();
}

// ---- writer state: one growing scratch buffer, copied out per message ----

let wbuf = Buffer.allocUnsafe(64 * 1024);
let wpos = 0;

function ensure(n: number): void {
  if (wpos + n <= wbuf.length) return;
  const next = Buffer.allocUnsafe(Math.max(wbuf.length * 2, wpos + n));
  wbuf.copy(next, 0, 0, wpos);
  wbuf = next;
}

function varintSize(n: number): number {
  let s = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

/** a non-negative integer below 2^53 */
function writeVarint(n: number): void {
  ensure(10);
  while (n >= 128) {
    wbuf[wpos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  wbuf[wpos++] = n;
}

function writeBigVarint(n: bigint): void {
  ensure(10);
  let v = BigInt.asUintN(64, n);
  while (v >= 128n) {
    wbuf[wpos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  wbuf[wpos++] = Number(v);
}

/** one byte is reserved for the length; endLength moves the body when it needs more */
function beginLength(): number {
  ensure(1);
  wpos++;
  return wpos;
}

function endLength(start: number): void {
  const len = wpos - start;
  if (len < 128) {
    wbuf[start - 1] = len;
    return;
  }
  const extra = varintSize(len) - 1;
  ensure(extra);
  wbuf.copyWithin(start + extra, start, wpos);
  const end = wpos + extra;
  wpos = start - 1;
  writeVarint(len);
  wpos = end;
}

function writeInt64(v: unknown): void {
  if (typeof v === 'number') {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) writeVarint(Math.trunc(v));
    else writeBigVarint(BigInt(Math.trunc(v)));
  } else if (typeof v === 'string') {
    if (v.length < 16 && v[0] !== '-') writeVarint(Number(v));
    else writeBigVarint(BigInt(v));
  } else if (typeof v === 'bigint') {
    writeBigVarint(v);
  } else if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    // a Long
    const l = v as { low: number; high: number };
    writeBigVarint((BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0));
  } else {
    writeVarint(v ? 1 : 0);
  }
}

function writeScalar(f: Field, v: unknown): void {
  switch (f.kind) {
    case 'int64':
    case 'uint64':
      writeInt64(v);
      return;
    case 'int32':
    case 'uint32':
    case 'enum': {
      let n = typeof v === 'string' ? (f.kind === 'enum' ? (f.enumByName![v] ?? 0) : Number(v)) : Number(v);
      if (f.kind === 'uint32') n = n >>> 0;
      if (n < 0) writeBigVarint(BigInt(n | 0));
      else writeVarint(n);
      return;
    }
    case 'bool':
      writeVarint(v ? 1 : 0);
      return;
    case 'string': {
      const s = String(v);
      const len = Buffer.byteLength(s);
      writeVarint(len);
      ensure(len);
      wpos += wbuf.write(s, wpos, 'utf8');
      return;
    }
    case 'bytes': {
      const b = typeof v === 'string' ? Buffer.from(v, 'base64') : (v as Uint8Array);
      writeVarint(b.length);
      ensure(b.length);
      wbuf.set(b, wpos);
      wpos += b.length;
      return;
    }
    default:
      throw new Error(`wire-codec: ${f.kind} is not a scalar`);
  }
}

function codecFor(type: protobuf.Type, all: Map<protobuf.Type, Codec>): Codec {
  let c = all.get(type);
  if (!c) all.set(type, (c = new Codec(type, all)));
  return c;
}

/** codecs for every message type under `root`, by fully qualified name without the dot */
export function wireCodecs(root: protobuf.Root): (fullName: string) => Codec {
  const all = new Map<protobuf.Type, Codec>();
  return (fullName) => codecFor(root.lookupType(fullName), all);
}
