// A revision is (main, sub): main is the store-wide revision of a write transaction, sub
// the index of the change inside it. On disk a revision is 17 bytes — 8-byte big-endian
// main, '_', 8-byte big-endian sub — plus a trailing 't' for a tombstone, as in etcd, so
// the backend's byte order is revision order and history can be read by range.

export interface Revision {
  main: number;
  sub: number;
}

export const REV_BYTES = 17;
const TOMBSTONE = 0x74; // 't'

export function encodeRevision(main: number, sub: number, tombstone = false): Buffer {
  const b = Buffer.allocUnsafe(tombstone ? REV_BYTES + 1 : REV_BYTES);
  writeU64(b, main, 0);
  b[8] = 0x5f; // '_'
  writeU64(b, sub, 9);
  if (tombstone) b[REV_BYTES] = TOMBSTONE;
  return b;
}

export function decodeRevision(b: Buffer): Revision & { tombstone: boolean } {
  if (b.length < REV_BYTES || b[8] !== 0x5f) throw new Error(`bad revision key of ${b.length} bytes`);
  return {
    main: b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4),
    sub: b.readUInt32BE(9) * 0x100000000 + b.readUInt32BE(13),
    tombstone: b.length > REV_BYTES && b[REV_BYTES] === TOMBSTONE,
  };
}

export function compareRevision(a: Revision, b: Revision): number {
  return a.main - b.main || a.sub - b.sub;
}

// Two 32-bit halves instead of BigInt: revisions stay below 2^53, and this is a hot path.
function writeU64(b: Buffer, n: number, at: number): void {
  b.writeUInt32BE(Math.floor(n / 0x100000000), at);
  b.writeUInt32BE(n >>> 0, at + 4);
}
