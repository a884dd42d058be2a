// Saving, restoring and describing snapshots of `tskube etcd`.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { LmdbBackend } from '../backend/lmdb-backend.js';
import type { MvccStore } from '../mvcc/mvcc-store.js';
import { decodeRecord } from '../mvcc/record-codec.js';
import { BadSnapshotError, END_MARK, MAGIC, SPACES, encodeEntry, padding, parseSnapshot } from './snapshot-format.js';

/**
 * Writes one consistent view of the store to a temporary file and streams it. The file is
 * removed once the stream ends (or is abandoned).
 */
export function snapshotStream(store: MvccStore): { size: number; chunks: AsyncIterable<Buffer> } {
  const dir = mkdtempSync(join(store.dataDir, 'member', 'snap-'));
  const file = join(dir, 'snapshot');
  const fd = openSync(file, 'w', 0o600);
  const hash = createHash('sha256');
  let length = 0;
  const write = (b: Buffer) => {
    hash.update(b);
    writeSync(fd, b);
    length += b.length;
  };
  try {
    write(MAGIC);
    store.backend.readView((scan) => {
      for (const space of SPACES) for (const { key, value } of scan(space)) write(encodeEntry(space, key, value));
    });
    write(END_MARK);
    write(padding(length));
    writeSync(fd, hash.digest());
  } finally {
    closeSync(fd);
  }
  const size = statSync(file).size;
  async function* chunks(): AsyncIterable<Buffer> {
    try {
      for await (const c of createReadStream(file, { highWaterMark: 64 * 1024 })) yield c as Buffer;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { size, chunks: chunks() };
}

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

export function snapshotStatus(file: string): SnapshotStatus {
  const data = readFileSync(file);
  const snap = parseSnapshot(data);
  let revision = 0;
  for (const e of snap.entries) {
    if (e.space === 'meta' && e.key.toString() === 'rev') revision = e.value.readUInt32BE(0) * 0x100000000 + e.value.readUInt32BE(4);
  }
  return { hash: crc32(data.subarray(0, data.length - 32)) >>> 0, revision, totalKey: snap.entries.length, totalSize: data.length };
}

/**
 * Restores a snapshot into a new data dir. Everything is checked first; the data dir must
 * not exist (or be empty), and nothing is left behind when the restore fails.
 */
export async function restoreSnapshot(file: string, dataDir: string): Promise<SnapshotStatus> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new BadSnapshotError(`data-dir "${dataDir}" exists and is not empty; refusing to overwrite it`);
  }
  const status = snapshotStatus(file);
  const snap = parseSnapshot(readFileSync(file));
  for (const e of snap.entries) {
    try {
      if (e.space === 'rev') decodeRecord(e.value);
    } catch (err) {
      throw new BadSnapshotError(`snapshot holds a damaged record: ${(err as Error).message}`);
    }
  }
  const created = !existsSync(dataDir);
  const backend = LmdbBackend.open(join(dataDir, 'member', 'db'));
  try {
    for (const e of snap.entries) backend.put(e.space, Buffer.from(e.key), Buffer.from(e.value));
    await backend.commit();
    await backend.close();
  } catch (e) {
    await backend.close().catch(() => {});
    rmSync(created ? dataDir : join(dataDir, 'member'), { recursive: true, force: true });
    throw e;
  }
  const marker = openSync(join(dataDir, 'member', 'db', 'data.mdb'), 'r');
  fsyncSync(marker);
  closeSync(marker);
  return status;
}

export { BadSnapshotError };
