// The store's write-ahead log (etcd's scheme): every group commit appends one checksummed
// record and fdatasyncs it before anything is acknowledged; the LMDB file is written
// without per-commit syncs and caught up from here at start.
//
// Segments are files named after their first record's sequence number (16 hex digits)
// under member/wal/. A segment grows in zero-filled, fsynced chunks ahead of the write
// position, so a record's fdatasync writes data blocks only (no block allocation, no size
// change: one device flush); past SEGMENT_BYTES the next record opens a new segment. The
// next chunk is zero-filled on the thread pool while the current one still has room, so
// appends rarely wait for it.
import {
  close,
  closeSync,
  fsync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  write,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { encodeRecord, parseRecord, type Mutation, type WalRecord } from './wal-record.js';

const SEGMENT_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
const NAME = /^[0-9a-f]{16}\.wal$/;

export class DamagedWalError extends Error {}

export class Wal {
  private fd = -1;
  private file = '';
  private pos = 0;
  private allocated = 0;
  /** sequence number of the last record written (or replayed) */
  lastSeq: number;
  /** records appended to the current segment */
  private inSegment = 0;
  /** a chunk being zero-filled in the background, for the segment open on `fd` */
  private extending?: { fd: number; closeWhenDone: boolean };

  private constructor(
    private readonly dir: string,
    lastSeq: number,
  ) {
    this.lastSeq = lastSeq;
  }

  /**
   * Reads and checks every segment, without changing anything: a damaged record before the
   * tail throws DamagedWalError naming the file and offset. Returns the records in order and
   * where the torn tail (if any) starts, for open() to cut off.
   */
  static read(dir: string): { records: WalRecord[]; tail?: { file: string; at: number; why: string; size: number } } {
    const files = segments(dir);
    const records: WalRecord[] = [];
    let tail: { file: string; at: number; why: string; size: number } | undefined;
    files.forEach((name, i) => {
      const file = join(dir, name);
      const buf = readFileSync(file);
      let at = 0;
      for (;;) {
        const p = parseRecord(buf, at);
        if (p.kind === 'end') break;
        if (p.kind === 'bad') {
          // A crash mid-write leaves a bad record only as the very last thing in the log.
          const last = i === files.length - 1;
          const followed = p.next !== undefined && parseRecord(buf, p.next).kind === 'record';
          if (!last || followed) {
            throw new DamagedWalError(
              `damaged write-ahead log: ${file} at offset ${at}: ${p.why}, and records follow it; refusing to start on a log with a hole (restore from a snapshot)`,
            );
          }
          tail = { file, at, why: p.why, size: buf.length };
          break;
        }
        const want = records.length > 0 ? records[records.length - 1].seq + 1 : p.record.seq;
        if (p.record.seq !== want) {
          throw new DamagedWalError(`damaged write-ahead log: ${file} at offset ${at}: record ${p.record.seq} where ${want} was expected`);
        }
        if (at === 0 && parseInt(name, 16) !== p.record.seq) {
          throw new DamagedWalError(`damaged write-ahead log: ${file} starts with record ${p.record.seq}, not the one its name says`);
        }
        records.push(p.record);
        at = p.next;
      }
    });
    return { records, tail };
  }

  /**
   * Opens the log for appending after `lastSeq` (the newest record replayed or stored).
   * Existing segments stay until dropOld(); a torn tail has been cut off by the caller.
   */
  static open(dir: string, lastSeq: number): Wal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const wal = new Wal(dir, lastSeq);
    wal.startSegment();
    return wal;
  }

  /** Cuts a torn tail record off (the rest of the file is zero-filled again on use). */
  static cutTail(file: string, at: number): void {
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Appends one record and waits for it to be on disk. Returns its sequence number. */
  append(revision: number, mutations: readonly Mutation[]): number {
    const seq = this.lastSeq + 1;
    const rec = encodeRecord(seq, revision, mutations);
    if (this.pos + rec.length + 4 > SEGMENT_BYTES && this.inSegment > 0) this.roll(seq);
    // The chunk past `allocated` is being zero-filled on the thread pool: a record written
    // there now could be overwritten by those zeros after its fdatasync. Start a new segment.
    else if (this.pos + rec.length + 4 > this.allocated && this.extending?.fd === this.fd) this.roll(seq);
    this.reserve(rec.length + 4);
    let done = 0;
    while (done < rec.length) done += writeSync(this.fd, rec, done, rec.length - done, this.pos + done);
    fdatasyncSync(this.fd);
    this.pos += rec.length;
    this.lastSeq = seq;
    this.inSegment++;
    if (this.allocated - this.pos < CHUNK_BYTES / 2 && this.allocated < SEGMENT_BYTES) this.extendAhead();
    return seq;
  }

  private extendAhead(): void {
    if (this.extending) return;
    const job = (this.extending = { fd: this.fd, closeWhenDone: false });
    const from = this.allocated;
    const end = from + CHUNK_BYTES;
    const finish = (ok: boolean): void => {
      if (job.closeWhenDone) close(job.fd, () => {});
      else if (ok && this.fd === job.fd && this.allocated === from) this.allocated = end;
      if (this.extending === job) this.extending = undefined;
    };
    const step = (at: number): void => {
      if (at >= end) {
        fsync(job.fd, (err) => finish(!err));
        return;
      }
      write(job.fd, zeroChunk(), 0, end - at, at, (err, n) => (err ? finish(false) : step(at + n)));
    };
    step(from);
  }

  /** true when the current segment holds records (a checkpoint then starts a new one) */
  get dirty(): boolean {
    return this.inSegment > 0;
  }

  /** Starts a new segment for the records after lastSeq; returns the one it closed. */
  roll(seq = this.lastSeq + 1): string {
    const old = this.file;
    this.closeFd();
    this.startSegment(seq);
    return old;
  }

  /** the current segment's name: the segments before it hold only records up to lastSeq */
  get segment(): string {
    return this.file.slice(this.dir.length + 1);
  }

  /**
   * Deletes the segments before `before` (default: the current one), whose records the
   * caller has seen synced in the LMDB file.
   */
  dropOld(before = this.segment): number {
    let n = 0;
    for (const name of segments(this.dir)) {
      if (name >= before) continue;
      rmSync(join(this.dir, name), { force: true });
      n++;
    }
    if (n > 0) syncDir(this.dir);
    return n;
  }

  /** Closes the log; a current segment without records is deleted (a clean shutdown leaves no log). */
  close(): void {
    if (this.fd < 0) return;
    this.closeFd();
    this.fd = -1;
    if (this.inSegment === 0) {
      rmSync(this.file, { force: true });
      syncDir(this.dir);
    }
  }

  private closeFd(): void {
    if (this.extending?.fd === this.fd) this.extending.closeWhenDone = true;
    else closeSync(this.fd);
  }

  private startSegment(seq = this.lastSeq + 1): void {
    const name = seq.toString(16).padStart(16, '0') + '.wal';
    this.file = join(this.dir, name);
    // A segment of that name exists only when nothing was written to it since (it begins
    // after the last record): reuse it from its start.
    this.fd = openSync(this.file, 'w', 0o600);
    this.pos = 0;
    this.allocated = 0;
    this.inSegment = 0;
    this.reserve(1);
    syncDir(this.dir);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.allocated) return;
    const grow = Math.max(CHUNK_BYTES, this.pos + bytes - this.allocated);
    const zeros = zeroChunk();
    let at = this.allocated;
    const end = this.allocated + grow;
    while (at < end) at += writeSync(this.fd, zeros, 0, Math.min(zeros.length, end - at), at);
    fsyncSync(this.fd);
    this.allocated = end;
  }
}

let zeros: Buffer | undefined;
function zeroChunk(): Buffer {
  return (zeros ??= Buffer.alloc(CHUNK_BYTES));
}

function segments(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => NAME.test(n) && statSync(join(dir, n)).isFile())
      .sort();
  } catch {
    return [];
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
