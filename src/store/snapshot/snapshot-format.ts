// The snapshot file of `tskube etcd`: every backend space of one consistent read view,
// then a SHA-256 of all that precedes it (etcd likewise appends a SHA-256 to its
// snapshots), so a truncated or altered file is refused before anything is restored.
//
//   "TSKUBE-SNAPSHOT 1\n" | entries: space u8, key length u32, key, value length u32, value |
//   0xff | zero padding to a multiple of 512 bytes | sha256 (32 bytes)
//
// The padding is there because etcdctl's `snapshot save` accepts a download only when its
// length is 32 more than a multiple of 512 (a page-aligned database plus its SHA-256).
import { createHash } from 'node:crypto';
import type { Space } from '../backend/backend.js';

export const MAGIC = Buffer.from('TSKUBE-SNAPSHOT 1\n');
export const SPACES: Space[] = ['rev', 'meta', 'lease'];
const END = 0xff;

export class BadSnapshotError extends Error {}

export function encodeEntry(space: Space, key: Buffer, value: Buffer): Buffer {
  const b = Buffer.allocUnsafe(1 + 4 + key.length + 4 + value.length);
  b[0] = SPACES.indexOf(space);
  b.writeUInt32BE(key.length, 1);
  key.copy(b, 5);
  b.writeUInt32BE(value.length, 5 + key.length);
  value.copy(b, 9 + key.length);
  return b;
}

export const END_MARK = Buffer.from([END]);

/** zero bytes that bring a body of `length` bytes to a multiple of 512 */
export function padding(length: number): Buffer {
  return Buffer.alloc((512 - (length % 512)) % 512);
}

export interface ParsedSnapshot {
  entries: Array<{ space: Space; key: Buffer; value: Buffer }>;
  sha256: string;
}

/** Checks the whole file and returns its entries; throws BadSnapshotError on any damage. */
export function parseSnapshot(data: Buffer): ParsedSnapshot {
  if (data.length < MAGIC.length + 1 + 32 || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BadSnapshotError('not a tskube etcd snapshot (bad header)');
  }
  const body = data.subarray(0, data.length - 32);
  const want = data.subarray(data.length - 32);
  const got = createHash('sha256').update(body).digest();
  if (!got.equals(want)) throw new BadSnapshotError('snapshot checksum mismatch: the file is truncated or corrupted');
  const entries: ParsedSnapshot['entries'] = [];
  let at = MAGIC.length;
  for (;;) {
    if (at >= body.length) throw new BadSnapshotError('snapshot ends without its end mark');
    const tag = body[at];
    if (tag === END) {
      for (let i = at + 1; i < body.length; i++) {
        if (body[i] !== 0) throw new BadSnapshotError('data after the snapshot end mark');
      }
      break;
    }
    const space = SPACES[tag];
    if (!space || at + 5 > body.length) throw new BadSnapshotError(`bad snapshot entry at byte ${at}`);
    const kl = body.readUInt32BE(at + 1);
    if (at + 5 + kl + 4 > body.length) throw new BadSnapshotError(`bad snapshot entry at byte ${at}`);
    const key = body.subarray(at + 5, at + 5 + kl);
    const vl = body.readUInt32BE(at + 5 + kl);
    const vs = at + 9 + kl;
    if (vs + vl > body.length) throw new BadSnapshotError(`bad snapshot entry at byte ${at}`);
    entries.push({ space, key, value: body.subarray(vs, vs + vl) });
    at = vs + vl;
  }
  return { entries, sha256: want.toString('hex') };
}
