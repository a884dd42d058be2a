// The checks etcd makes on a request before it reaches the store (etcdserver/api/v3rpc/key.go):
// keys present, txn size, no key written twice in one txn branch.
import { Errors } from '../errors.js';
import type { Wire } from './wire.js';

export const MAX_TXN_OPS = 128;

export function checkRange(r: Wire): void {
  if (!r.key || r.key.length === 0) throw Errors.emptyKey();
}

export function checkPut(r: Wire): void {
  if (!r.key || r.key.length === 0) throw Errors.emptyKey();
  if (r.ignore_value && r.value && r.value.length !== 0) throw Errors.valueProvided();
  if (r.ignore_lease && BigInt(r.lease ?? 0) !== 0n) throw Errors.leaseProvided();
}

export function checkDelete(r: Wire): void {
  if (!r.key || r.key.length === 0) throw Errors.emptyKey();
}

export function checkTxn(t: Wire): void {
  const compare: Wire[] = t.compare ?? [];
  const success: Wire[] = t.success ?? [];
  const failure: Wire[] = t.failure ?? [];
  if (compare.length > MAX_TXN_OPS || success.length > MAX_TXN_OPS || failure.length > MAX_TXN_OPS) {
    throw Errors.tooManyOps();
  }
  for (const c of compare) if (!c.key || c.key.length === 0) throw Errors.emptyKey();
  for (const op of [...success, ...failure]) checkOp(op);
  branchWrites(success);
  branchWrites(failure);
}

function checkOp(op: Wire): void {
  if (op.request_range) checkRange(op.request_range);
  else if (op.request_put) checkPut(op.request_put);
  else if (op.request_delete_range) checkDelete(op.request_delete_range);
  else if (op.request_txn) checkTxn(op.request_txn);
}

interface Writes {
  puts: Set<string>;
  dels: [Buffer, Buffer | undefined][];
}

const hex = (b: Buffer) => b.toString('hex');

function covers([start, end]: [Buffer, Buffer | undefined], key: Buffer): boolean {
  if (!end || end.length === 0) return key.equals(start);
  if (end.length === 1 && end[0] === 0) return Buffer.compare(key, start) >= 0;
  return Buffer.compare(key, start) >= 0 && Buffer.compare(key, end) < 0;
}

/** the keys one branch writes; throws duplicateKey when a key is put twice or put and deleted */
function branchWrites(ops: Wire[]): Writes {
  const out: Writes = { puts: new Set(), dels: [] };
  const addPut = (k: string) => {
    if (out.puts.has(k)) throw Errors.duplicateKey();
    out.puts.add(k);
  };
  for (const op of ops) {
    if (op.request_put) addPut(hex(op.request_put.key));
    else if (op.request_delete_range) out.dels.push([op.request_delete_range.key, op.request_delete_range.range_end]);
    else if (op.request_txn) {
      // only one of the nested branches runs, so they may overlap each other
      const s = branchWrites(op.request_txn.success ?? []);
      const f = branchWrites(op.request_txn.failure ?? []);
      for (const k of new Set([...s.puts, ...f.puts])) addPut(k);
      out.dels.push(...s.dels, ...f.dels);
    }
  }
  for (const k of out.puts) {
    const key = Buffer.from(k, 'hex');
    if (out.dels.some((d) => covers(d, key))) throw Errors.duplicateKey();
  }
  return out;
}

/** does the txn (or any nested txn) write anything? read-only txns skip raft in etcd */
export function txnWrites(t: Wire): { puts: boolean; writes: boolean; putBytes: number } {
  let puts = false;
  let writes = false;
  let putBytes = 0;
  const walk = (ops: Wire[]) => {
    for (const op of ops) {
      if (op.request_put) {
        puts = writes = true;
        putBytes += (op.request_put.key?.length ?? 0) + (op.request_put.value?.length ?? 0);
      } else if (op.request_delete_range) writes = true;
      else if (op.request_txn) {
        walk(op.request_txn.success ?? []);
        walk(op.request_txn.failure ?? []);
      }
    }
  };
  walk(t.success ?? []);
  walk(t.failure ?? []);
  return { puts, writes, putBytes };
}
