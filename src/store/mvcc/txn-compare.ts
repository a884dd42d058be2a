// Evaluating a Txn's compares. A compare over a range holds only when it holds for every
// key in the range; a missing key compares as version/create/mod 0, lease 0 and, for
// VALUE, makes the compare false — as etcd does.
import type { Compare } from '../kv-store.js';
import type { KeyValue } from './key-value.js';

export function compareHolds(cmp: Compare, kvs: KeyValue[]): boolean {
  if (kvs.length === 0) {
    if (cmp.target === 'VALUE') return false;
    return applyResult(cmp.result, compareNumber(0, cmp.operand));
  }
  return kvs.every((kv) => applyResult(cmp.result, compareOne(cmp, kv)));
}

function compareOne(cmp: Compare, kv: KeyValue): number {
  switch (cmp.target) {
    case 'VERSION':
      return compareNumber(kv.version, cmp.operand);
    case 'CREATE':
      return compareNumber(kv.create_revision, cmp.operand);
    case 'MOD':
      return compareNumber(kv.mod_revision, cmp.operand);
    case 'LEASE':
      return compareNumber(kv.lease, cmp.operand);
    case 'VALUE':
      return Buffer.compare(kv.value, Buffer.isBuffer(cmp.operand) ? cmp.operand : Buffer.alloc(0));
  }
}

function compareNumber(a: number | bigint, b: Compare['operand']): number {
  const x = BigInt(a);
  const y = Buffer.isBuffer(b) ? 0n : BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function applyResult(result: Compare['result'], c: number): boolean {
  switch (result) {
    case 'EQUAL':
      return c === 0;
    case 'NOT_EQUAL':
      return c !== 0;
    case 'GREATER':
      return c > 0;
    case 'LESS':
      return c < 0;
  }
}
