// One write-ahead log record: a group commit's batch of backend writes.
//
//   u32 body length | u32 CRC-32 of the body | body
//   body: u64 sequence | u64 store revision | u32 count | count × mutation
//   mutation: u8 (space index × 2 + 1 if a delete) | u32 key length | key | [u32 value length | value]
//
// A zero length marks the end of the written part of a (zero-preallocated) segment.
import { crc32 } from 'node:zlib';
import type { Space } from './backend.js';

export const SPACES: readonly Space[] = ['rev', 'meta', 'lease'];
export const HEADER = 8;

export type Mutation = [Space, Buffer, Buffer | undefined];

export interface WalRecord {
  seq: number;
  revision: number;
  /** decoded on use: a start reads whole segments, most of whose records LMDB already holds */
  readonly mutations: Mutation[];
}

export function encodeRecord(seq: number, revision: number, mutations: readonly Mutation[]): Buffer {
  let size = HEADER + 20;
  for (const [, k, v] of mutations) size += 5 + k.length + (v ? 4 + v.length : 0);
  const b = Buffer.allocUnsafe(size);
  let o = HEADER;
  o = writeU64(b, seq, o);
  o = writeU64(b, revision, o);
  o = b.writeUInt32LE(mutations.length, o);
  for (const [space, k, v] of mutations) {
    o = b.writeUInt8(SPACES.indexOf(space) * 2 + (v ? 0 : 1), o);
    o = b.writeUInt32LE(k.length, o);
    o += k.copy(b, o);
    if (v) {
      o = b.writeUInt32LE(v.length, o);
      o += v.copy(b, o);
    }
  }
  b.writeUInt32LE(size - HEADER, 0);
  b.writeUInt32LE(crc32(b.subarray(HEADER)), 4);
  return b;
}

export type Parsed =
  | { kind: 'record'; record: WalRecord; next: number }
  | { kind: 'end' }
  /** the bytes at `at` are not a whole, intact record */
  | { kind: 'bad'; why: string; next?: number };

/** Parses the record at `at` in `buf` (a segment's bytes). */
export function parseRecord(buf: Buffer, at: number): Parsed {
  if (at + HEADER > buf.length) return at + 4 > buf.length || buf.readUInt32LE(at) === 0 ? { kind: 'end' } : { kind: 'bad', why: 'header cut short' };
  const len = buf.readUInt32LE(at);
  if (len === 0) return { kind: 'end' };
  const next = at + HEADER + len;
  if (len < 20 || next > buf.length) return { kind: 'bad', why: `length ${len} runs past the end of the file` };
  const body = buf.subarray(at + HEADER, next);
  if ((crc32(body) >>> 0) !== buf.readUInt32LE(at + 4)) return { kind: 'bad', why: 'checksum mismatch', next };
  try {
    decodeBody(body); // checks the layout; the result is rebuilt on use
    const seq = readU64(body, 0);
    const revision = readU64(body, 8);
    return {
      kind: 'record',
      record: {
        seq,
        revision,
        get mutations() {
          return decodeBody(body).mutations;
        },
      },
      next,
    };
  } catch (e) {
    return { kind: 'bad', why: `malformed record (${(e as Error).message})`, next };
  }
}

function decodeBody(body: Buffer): WalRecord {
  const seq = readU64(body, 0);
  const revision = readU64(body, 8);
  const n = body.readUInt32LE(16);
  let o = 20;
  const mutations: Mutation[] = [];
  for (let i = 0; i < n; i++) {
    const tag = body.readUInt8(o);
    const space = SPACES[tag >> 1];
    if (!space) throw new Error(`unknown space ${tag >> 1}`);
    const kl = body.readUInt32LE(o + 1);
    o += 5;
    const key = Buffer.from(body.subarray(o, (o += kl)));
    let value: Buffer | undefined;
    if ((tag & 1) === 0) {
      const vl = body.readUInt32LE(o);
      o += 4;
      value = Buffer.from(body.subarray(o, (o += vl)));
    }
    if (o > body.length) throw new Error('mutation runs past the record');
    mutations.push([space, key, value]);
  }
  if (o !== body.length) throw new Error('trailing bytes');
  return { seq, revision, mutations };
}

function writeU64(b: Buffer, n: number, o: number): number {
  b.writeUInt32LE(n >>> 0, o);
  return b.writeUInt32LE(Math.floor(n / 0x100000000), o + 4);
}

function readU64(b: Buffer, o: number): number {
  return b.readUInt32LE(o) + b.readUInt32LE(o + 4) * 0x100000000;
}
