// How one KeyValue is laid out as a backend value. Every record starts with a CRC-32 of
// the rest, so damage to the data file is detected when the record is read or scanned
// instead of being served as if it were data.
//
//   crc32 u32 | create_revision f64 | mod_revision f64 | version f64 | lease i64 |
//   key length u32 | key | value
import { crc32 } from 'node:zlib';
import type { KeyValue } from './key-value.js';

const HEADER = 4 + 8 + 8 + 8 + 8 + 4;

export class CorruptRecordError extends Error {}

export function encodeRecord(kv: KeyValue): Buffer {
  const b = Buffer.allocUnsafe(HEADER + kv.key.length + kv.value.length);
  b.writeDoubleBE(kv.create_revision, 4);
  b.writeDoubleBE(kv.mod_revision, 12);
  b.writeDoubleBE(kv.version, 20);
  b.writeBigInt64BE(kv.lease, 28);
  b.writeUInt32BE(kv.key.length, 36);
  kv.key.copy(b, HEADER);
  kv.value.copy(b, HEADER + kv.key.length);
  b.writeUInt32BE(crc32(b.subarray(4)), 0);
  return b;
}

export function decodeRecord(b: Buffer, verify = true): KeyValue {
  if (b.length < HEADER) throw new CorruptRecordError(`record of ${b.length} bytes is shorter than its header`);
  if (verify && b.readUInt32BE(0) !== crc32(b.subarray(4))) throw new CorruptRecordError('record checksum mismatch');
  const keyLen = b.readUInt32BE(36);
  if (HEADER + keyLen > b.length) throw new CorruptRecordError('record key length out of bounds');
  return {
    create_revision: b.readDoubleBE(4),
    mod_revision: b.readDoubleBE(12),
    version: b.readDoubleBE(20),
    lease: b.readBigInt64BE(28),
    key: Buffer.from(b.subarray(HEADER, HEADER + keyLen)),
    value: Buffer.from(b.subarray(HEADER + keyLen)),
  };
}
