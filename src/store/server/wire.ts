// Translation between etcd's wire messages (as proto-loader gives them: int64 as strings,
// enums as names, bytes as Buffers) and the store's types.
import type {
  Compare,
  DeleteOptions,
  PutOptions,
  RangeOptions,
  RangeResult,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResult,
} from '../kv-store.js';
import type { Event, KeyValue } from '../mvcc/key-value.js';

export type Wire = Record<string, any>;

const optBuf = (b: Buffer | undefined): Buffer | undefined => (b && b.length > 0 ? b : undefined);
const num = (v: unknown): number => Number(v ?? 0);

// int64 fields go out as numbers and bigints: wire-codec.ts writes them directly
export function wireKv(kv: KeyValue): Wire {
  return {
    key: kv.key,
    create_revision: kv.create_revision,
    mod_revision: kv.mod_revision,
    version: kv.version,
    value: kv.value,
    lease: kv.lease,
  };
}

export function wireEvent(ev: Event, withPrev: boolean): Wire {
  const out: Wire = { type: ev.type, kv: wireKv(ev.kv) };
  if (withPrev && ev.prev_kv) out.prev_kv = wireKv(ev.prev_kv);
  return out;
}

export function rangeFromWire(r: Wire): RangeOptions {
  return {
    key: r.key,
    rangeEnd: optBuf(r.range_end),
    revision: num(r.revision),
    limit: num(r.limit),
    keysOnly: !!r.keys_only,
    countOnly: !!r.count_only,
    sortOrder: r.sort_order ?? 'NONE',
    sortTarget: r.sort_target ?? 'KEY',
    minModRevision: num(r.min_mod_revision),
    maxModRevision: num(r.max_mod_revision),
    minCreateRevision: num(r.min_create_revision),
    maxCreateRevision: num(r.max_create_revision),
  };
}

export function putFromWire(r: Wire): PutOptions {
  return {
    key: r.key,
    value: r.value ?? Buffer.alloc(0),
    lease: BigInt(r.lease ?? 0),
    prevKv: !!r.prev_kv,
    ignoreValue: !!r.ignore_value,
    ignoreLease: !!r.ignore_lease,
  };
}

export function deleteFromWire(r: Wire): DeleteOptions {
  return { key: r.key, rangeEnd: optBuf(r.range_end), prevKv: !!r.prev_kv };
}

export function compareFromWire(c: Wire): Compare {
  const target = c.target ?? 'VERSION';
  let operand: number | Buffer | bigint;
  switch (target) {
    case 'VERSION':
      operand = num(c.version);
      break;
    case 'CREATE':
      operand = num(c.create_revision);
      break;
    case 'MOD':
      operand = num(c.mod_revision);
      break;
    case 'VALUE':
      operand = c.value ?? Buffer.alloc(0);
      break;
    default:
      operand = BigInt(c.lease ?? 0);
  }
  return { key: c.key, rangeEnd: optBuf(c.range_end), target, result: c.result ?? 'EQUAL', operand };
}

export function requestOpFromWire(op: Wire): RequestOp {
  if (op.request_range) return { range: rangeFromWire(op.request_range) };
  if (op.request_put) return { put: putFromWire(op.request_put) };
  if (op.request_delete_range) return { deleteRange: deleteFromWire(op.request_delete_range) };
  if (op.request_txn) return { txn: txnFromWire(op.request_txn) };
  throw new Error('empty RequestOp');
}

export function txnFromWire(t: Wire): TxnRequest {
  return {
    compare: (t.compare ?? []).map(compareFromWire),
    success: (t.success ?? []).map(requestOpFromWire),
    failure: (t.failure ?? []).map(requestOpFromWire),
  };
}

/** inner responses of a txn carry a header with only the revision, as etcd sends them */
const innerHeader = (revision: number): Wire => ({ cluster_id: '0', member_id: '0', revision: String(revision), raft_term: '0' });

export function rangeResultToWire(r: RangeResult, header: Wire): Wire {
  return { header, kvs: r.kvs.map(wireKv), more: r.more, count: r.count };
}

export function responseOpToWire(op: ResponseOp, revision: number): Wire {
  if ('range' in op) return { response_range: rangeResultToWire(op.range, innerHeader(op.range.revision)) };
  if ('put' in op) {
    return { response_put: { header: innerHeader(revision), prev_kv: op.put.prevKv ? wireKv(op.put.prevKv) : null } };
  }
  if ('deleteRange' in op) {
    return {
      response_delete_range: {
        header: innerHeader(revision),
        deleted: String(op.deleteRange.deleted),
        prev_kvs: op.deleteRange.prevKvs.map(wireKv),
      },
    };
  }
  return { response_txn: txnResultToWire(op.txn, innerHeader(op.txn.revision)) };
}

export function txnResultToWire(r: TxnResult, header: Wire): Wire {
  return { header, succeeded: r.succeeded, responses: r.responses.map((op) => responseOpToWire(op, r.revision)) };
}
