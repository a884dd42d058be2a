// etcd's KV messages the API server sends on every request (RangeRequest, TxnRequest with
// Compare / Put / DeleteRange / Range ops) and their responses, encoded and decoded by hand
// from rpc.proto's field numbers: no reflection, no object conversion, values stay views of the
// received message. The shapes match what proto-loader gave (int64 as decimal strings, enums
// by name), so callers are unchanged.
import { ProtoReader, ProtoWriter } from './protobuf.js';

export interface KeyValueMessage {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

export interface RangeRequestMessage {
  key: Buffer; range_end?: Buffer; limit?: number | string; revision?: number | string;
  keys_only?: boolean; count_only?: boolean; serializable?: boolean;
}
export interface PutRequestMessage { key: Buffer; value: Buffer; lease?: number | string; prev_kv?: boolean }
export interface DeleteRangeRequestMessage { key: Buffer; range_end?: Buffer; prev_kv?: boolean }
export interface CompareMessage {
  key: Buffer; range_end?: Buffer;
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  version?: number | string; create_revision?: number | string; mod_revision?: number | string; value?: Buffer; lease?: number | string;
}
export interface RequestOpMessage { request_range?: RangeRequestMessage; request_put?: PutRequestMessage; request_delete_range?: DeleteRangeRequestMessage }
export interface TxnRequestMessage { compare: CompareMessage[]; success: RequestOpMessage[]; failure?: RequestOpMessage[] }

export interface RangeResponseMessage { header: { revision: string }; kvs: KeyValueMessage[]; more: boolean; count: string }
export interface ResponseOpMessage {
  response_range?: RangeResponseMessage;
  response_put?: { header: { revision: string }; prev_kv?: KeyValueMessage };
  response_delete_range?: { header: { revision: string }; deleted: string; prev_kvs: KeyValueMessage[] };
}
export interface TxnResponseMessage { header: { revision: string }; succeeded: boolean; responses: ResponseOpMessage[] }

const TARGETS = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 } as const;
const RESULTS = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;

export function encodeRangeRequest(r: RangeRequestMessage): Buffer {
  return new ProtoWriter(64 + r.key.length + (r.range_end?.length ?? 0))
    .bytes(1, r.key, true).bytes(2, r.range_end).uint(3, r.limit).uint(4, r.revision)
    .uint(7, r.serializable).uint(8, r.keys_only).uint(9, r.count_only).finish();
}

function encodePut(p: PutRequestMessage): Buffer {
  return new ProtoWriter(32 + p.key.length + p.value.length).bytes(1, p.key, true).bytes(2, p.value).int64(3, p.lease).uint(4, p.prev_kv).finish();
}

function encodeDeleteRange(d: DeleteRangeRequestMessage): Buffer {
  return new ProtoWriter(32 + d.key.length).bytes(1, d.key, true).bytes(2, d.range_end).uint(3, d.prev_kv).finish();
}

function encodeCompare(c: CompareMessage): Buffer {
  const target = TARGETS[c.target];
  const result = RESULTS[c.result];
  if (target === undefined || result === undefined) throw new Error(`etcd compare: unknown target ${c.target} or result ${c.result}`);
  const w = new ProtoWriter(48 + c.key.length).uint(1, result).uint(2, target).bytes(3, c.key, true);
  // The oneof member is written even when zero: "create_revision == 0" means "does not exist".
  switch (c.target) {
    case 'VERSION': w.varint((4 << 3) | 0).varint(Number(c.version ?? 0)); break;
    case 'CREATE': w.varint((5 << 3) | 0).varint(Number(c.create_revision ?? 0)); break;
    case 'MOD': w.varint((6 << 3) | 0).varint(Number(c.mod_revision ?? 0)); break;
    case 'VALUE': w.bytes(7, c.value ?? Buffer.alloc(0), true); break;
    case 'LEASE': if (Number(c.lease ?? 0) === 0) w.varint((8 << 3) | 0).varint(0); else w.int64(8, c.lease); break;
  }
  return w.bytes(64, c.range_end).finish();
}

function encodeRequestOp(op: RequestOpMessage): Buffer {
  const w = new ProtoWriter(64);
  if (op.request_range) return w.bytes(1, encodeRangeRequest(op.request_range), true).finish();
  if (op.request_put) return w.bytes(2, encodePut(op.request_put), true).finish();
  if (op.request_delete_range) return w.bytes(3, encodeDeleteRange(op.request_delete_range), true).finish();
  throw new Error('etcd txn: a request op needs request_range, request_put or request_delete_range');
}

export function encodeTxnRequest(t: TxnRequestMessage): Buffer {
  const parts: Array<[number, Buffer]> = [];
  for (const c of t.compare) parts.push([1, encodeCompare(c)]);
  for (const op of t.success) parts.push([2, encodeRequestOp(op)]);
  for (const op of t.failure ?? []) parts.push([3, encodeRequestOp(op)]);
  let size = 0;
  for (const [, b] of parts) size += b.length + 6;
  const w = new ProtoWriter(size);
  for (const [f, b] of parts) w.bytes(f, b, true);
  return w.finish();
}

export function encodeLeaseGrantRequest(ttl: number, id: number | string = 0): Buffer {
  return new ProtoWriter(24).uint(1, ttl).int64(2, id).finish();
}

export function decodeHeader(r: ProtoReader, [s, e]: [number, number]): { revision: string } {
  const h = new ProtoReader(r.buf, s, e);
  let revision = 0;
  while (h.next()) {
    if (h.field === 3 && h.wireType === 0) revision = h.varint();
    else h.skip();
  }
  return { revision: String(revision) };
}

export function decodeKeyValue(buf: Buffer, [s, e]: [number, number]): KeyValueMessage {
  const r = new ProtoReader(buf, s, e);
  let key: Buffer = EMPTY; let value: Buffer = EMPTY;
  let create = 0; let mod = 0; let version = 0; let lease = '0';
  while (r.next()) {
    switch (r.field) {
      case 1: key = r.bytes(); break;
      case 2: create = r.varint(); break;
      case 3: mod = r.varint(); break;
      case 4: version = r.varint(); break;
      case 5: value = r.bytes(); break;
      case 6: lease = r.int64(); break;
      default: r.skip();
    }
  }
  return { key, create_revision: String(create), mod_revision: String(mod), version: String(version), value, lease };
}

const EMPTY = Buffer.alloc(0);
const NO_HEADER = { revision: '0' };

export function decodeRangeResponse(buf: Buffer, start = 0, end = buf.length): RangeResponseMessage {
  const r = new ProtoReader(buf, start, end);
  const out: RangeResponseMessage = { header: NO_HEADER, kvs: [], more: false, count: '0' };
  while (r.next()) {
    switch (r.field) {
      case 1: out.header = decodeHeader(r, r.span()); break;
      case 2: out.kvs.push(decodeKeyValue(buf, r.span())); break;
      case 3: out.more = r.varint() !== 0; break;
      case 4: out.count = String(r.varint()); break;
      default: r.skip();
    }
  }
  return out;
}

function decodeResponseOp(buf: Buffer, [s, e]: [number, number]): ResponseOpMessage {
  const r = new ProtoReader(buf, s, e);
  const out: ResponseOpMessage = {};
  while (r.next()) {
    if (r.field === 1) {
      const [a, b] = r.span();
      out.response_range = decodeRangeResponse(buf, a, b);
    } else if (r.field === 2) {
      const m = new ProtoReader(buf, ...r.span());
      const put: NonNullable<ResponseOpMessage['response_put']> = { header: NO_HEADER };
      while (m.next()) {
        if (m.field === 1) put.header = decodeHeader(m, m.span());
        else if (m.field === 2) put.prev_kv = decodeKeyValue(buf, m.span());
        else m.skip();
      }
      out.response_put = put;
    } else if (r.field === 3) {
      const m = new ProtoReader(buf, ...r.span());
      const del: NonNullable<ResponseOpMessage['response_delete_range']> = { header: NO_HEADER, deleted: '0', prev_kvs: [] };
      while (m.next()) {
        if (m.field === 1) del.header = decodeHeader(m, m.span());
        else if (m.field === 2) del.deleted = String(m.varint());
        else if (m.field === 3) del.prev_kvs.push(decodeKeyValue(buf, m.span()));
        else m.skip();
      }
      out.response_delete_range = del;
    } else {
      r.skip();
    }
  }
  return out;
}

export function decodeTxnResponse(buf: Buffer): TxnResponseMessage {
  const r = new ProtoReader(buf);
  const out: TxnResponseMessage = { header: NO_HEADER, succeeded: false, responses: [] };
  while (r.next()) {
    switch (r.field) {
      case 1: out.header = decodeHeader(r, r.span()); break;
      case 2: out.succeeded = r.varint() !== 0; break;
      case 3: out.responses.push(decodeResponseOp(buf, r.span())); break;
      default: r.skip();
    }
  }
  return out;
}

export function decodeLeaseGrantResponse(buf: Buffer): { ID: string; TTL: string; error: string } {
  const r = new ProtoReader(buf);
  let id = '0'; let ttl = 0; let error = '';
  while (r.next()) {
    if (r.field === 2 && r.wireType === 0) id = r.int64();
    else if (r.field === 3 && r.wireType === 0) ttl = r.varint();
    else if (r.field === 4 && r.wireType === 2) error = r.bytes().toString('utf8');
    else r.skip();
  }
  return { ID: id, TTL: String(ttl), error };
}
