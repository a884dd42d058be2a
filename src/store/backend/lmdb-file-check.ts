// LMDB keeps no checksums of its own pages, and opening a damaged or truncated file can
// crash the process instead of failing. Before opening, check what can be checked cheaply:
// the two meta pages' magic and version, and that the file holds every page the newest
// valid meta page says was written.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const MAGIC = 0xbeefc0de;
const DATA_VERSIONS = [1, 2];

export class DamagedDataFileError extends Error {}

export function checkLmdbFile(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // a new data dir
  }
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 2 * 65536));
    readSync(fd, head, 0, head.length, 0);
    // Page header then MDB_meta: magic u32, version u32, address u64, mapsize u64, the free
    // and main MDB_db records (48 bytes each; the free db's first u32 holds the page size),
    // last_pg u64, txnid u64. The header is 16 bytes in LMDB 0.9 and 24 in the format
    // lmdb-js writes (data version 2), so find the magic rather than assume.
    const hdr = [16, 24].find((h) => head.length >= h + 136 && head.readUInt32LE(h) === MAGIC);
    if (hdr === undefined) throw new DamagedDataFileError(`${file}: not an LMDB data file (bad magic); the data file is damaged`);
    const pageSize = head.readUInt32LE(hdr + 24);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      throw new DamagedDataFileError(`${file}: implausible page size ${pageSize}; the data file is damaged`);
    }
    let best: { lastPg: bigint; txn: bigint } | undefined;
    for (const page of [0, pageSize]) {
      const m = page + hdr;
      if (m + 136 > head.length) continue;
      if (head.readUInt32LE(m) !== MAGIC || !DATA_VERSIONS.includes(head.readUInt32LE(m + 4))) continue;
      const lastPg = head.readBigUInt64LE(m + 120);
      const txn = head.readBigUInt64LE(m + 128);
      if (!best || txn > best.txn) best = { lastPg, txn };
    }
    if (!best) throw new DamagedDataFileError(`${file}: both LMDB meta pages are invalid; the data file is damaged`);
    const needed = (Number(best.lastPg) + 1) * pageSize;
    if (size < needed) {
      throw new DamagedDataFileError(
        `${file}: data file is truncated (${size} bytes, the last commit needs ${needed}); the data file is damaged`,
      );
    }
  } finally {
    closeSync(fd);
  }
}
