// The Backend on LMDB (npm `lmdb`) behind a write-ahead log, as etcd's bbolt is behind its WAL.
//
// Group commit: writes queued during one event-loop turn form one batch: one WAL record,
// fdatasynced on this thread at the end of the turn (so concurrent requests share one
// sync, and one etcd Txn is atomic), then handed to lmdb-js's write thread, the batches
// of up to 100 ms in one LMDB transaction whose sync overlaps later work (overlappingSync).
// Until that transaction is committed, reads see the batches through an overlay. A checkpoint (every snapshotCount
// records or CHECKPOINT_MS, and at close) waits for LMDB to be synced past the log's
// records and deletes the old segments; at start the log is replayed past the sequence
// number LMDB stored with its last batch. docs/store.md explains the sync order.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Backend, Entry, Space } from './backend.js';
import { checkLmdbFile } from './lmdb-file-check.js';
import { Overlay } from './overlay.js';
import { Wal } from './wal.js';
import type { Mutation } from './wal-record.js';

export interface LmdbBackendOptions {
  /** records between checkpoints (etcd's --snapshot-count) */
  snapshotCount?: number;
  log?: (line: string) => void;
}

const CHECKPOINT_MS = 30_000;
const APPLY_MS = 100;
const APPLY_MAX = 10_000;
/** the meta key holding the WAL sequence number of the last batch in LMDB */
export const META_WALSEQ = Buffer.from('walseq');

const SPACES: Space[] = ['rev', 'meta', 'lease'];

export class LmdbBackend implements Backend {
  private root: RootDatabase<Buffer, Buffer>;
  private dbs: Record<Space, Database<Buffer, Buffer>>;
  private readonly file: string;
  private queue: Mutation[] = [];
  private readonly overlay = new Overlay();
  private wal!: Wal;
  /** WAL sequence of the newest batch handed to LMDB, and of the newest LMDB has committed */
  private appliedSeq = 0;
  private lmdbSeq = 0;
  private lastApply: Promise<unknown> = Promise.resolve();
  /** logged batches waiting for the next LMDB transaction */
  private toApply: Mutation[][] = [];
  private toApplyCount = 0;
  private loggedSeq = 0;
  private applyTimer?: NodeJS.Timeout;
  private sinceCheckpoint = 0;
  private checkpointAt = Date.now();
  private checkpointing?: Promise<void>;
  private readonly snapshotCount: number;
  /** set when LMDB failed a write: nothing more is accepted */
  private broken?: unknown;
  private readonly log: (line: string) => void;
  private scheduled = false;
  /** writes queued so far, and how many of them are durable */
  private queuedSeq = 0;
  private durableSeq = 0;
  private waiters: Array<{ target: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private last: Promise<void> = Promise.resolve();
  private sized?: { at: number; value: { size: number; inUse: number } };
  onCommit?: (seconds: number, writes: number) => void;
  beforeBatch?: () => void;
  currentRevision?: () => number;

  private constructor(
    private readonly dir: string,
    opts: LmdbBackendOptions,
  ) {
    this.file = join(dir, 'data.mdb');
    this.snapshotCount = Math.max(1, opts.snapshotCount ?? 100_000);
    this.log = opts.log ?? (() => {});
    const walDir = join(dirname(dir), 'wal');
    // Check everything before changing anything: a damaged log or data file stops here.
    const { records, tail } = Wal.read(walDir);
    checkLmdbFile(this.file);
    [this.root, this.dbs] = LmdbBackend.openEnv(dir);
    try {
      if (tail) {
        this.log(`write-ahead log: ${tail.file}: cut a torn record at offset ${tail.at} (${tail.why}; ${tail.size - tail.at} bytes dropped): a write that was never acknowledged`);
        Wal.cutTail(tail.file, tail.at);
      }
      this.lmdbSeq = this.appliedSeq = this.replay(records, walDir);
      this.wal = Wal.open(walDir, this.appliedSeq);
      // Everything replayed is in LMDB and synced (a durable transaction): the old segments go.
      this.wal.dropOld();
    } catch (e) {
      this.root.close().catch(() => {});
      throw e;
    }
  }

  /**
   * Applies the log's records after LMDB's stored sequence in one durable transaction. The
   * transaction is durable even when there is nothing to apply: after a SIGKILL, LMDB's
   * newest commits may not be synced yet, and the log's segments are deleted next.
   */
  private replay(records: ReturnType<typeof Wal.read>['records'], walDir: string): number {
    const stored = readSeq(this.dbs.meta.getBinary(META_WALSEQ));
    if (records.length === 0) return stored;
    const first = records[0].seq;
    if (first > stored + 1) {
      throw new Error(
        `write-ahead log in ${walDir} starts at record ${first} but the data file holds only up to ${stored}: records are missing; refusing to start`,
      );
    }
    const todo = records.filter((r) => r.seq > stored);
    const last = todo.length > 0 ? todo[todo.length - 1].seq : stored;
    this.root.transactionSync(() => {
      for (const r of todo) {
        for (const [space, key, value] of r.mutations) {
          if (value === undefined) this.dbs[space].removeSync(key);
          else this.dbs[space].putSync(key, value);
        }
      }
      this.dbs.meta.putSync(META_WALSEQ, seqBuf(last));
    });
    if (todo.length > 0) {
      this.log(
        `write-ahead log: replayed ${todo.length} records (${todo[0].seq}..${last}, up to revision ${todo[todo.length - 1].revision}) past the data file's ${stored}`,
      );
    }
    return last;
  }

  private static openEnv(dir: string): [RootDatabase<Buffer, Buffer>, Record<Space, Database<Buffer, Buffer>>] {
    const root = open<Buffer, Buffer>({
      path: dir,
      encoding: 'binary',
      keyEncoding: 'binary',
      maxDbs: 8,
      // Kept for the meta-page layout of existing data dirs. Our commits are synchronous
      // transactions without MDB_NOSYNC, so each is fsynced before it returns (see flush).
      overlappingSync: true,
      noSync: false,
      mapSize: 64 * 1024 * 1024 * 1024,
    });
    const dbs = {} as Record<Space, Database<Buffer, Buffer>>;
    for (const s of SPACES) dbs[s] = root.openDB<Buffer, Buffer>({ name: s, encoding: 'binary', keyEncoding: 'binary' });
    return [root, dbs];
  }

  /**
   * Rewrites the file without its free pages (LMDB's compacting copy), then swaps it in.
   * The caller must keep every other call out until this resolves.
   */
  async defragment(): Promise<void> {
    await this.commit();
    await this.checkpointing;
    await this.caughtUp();
    // The environment is a directory, so LMDB's copy writes DIR/data.mdb.
    const tmp = join(this.dir, 'defrag');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { mode: 0o700 });
    await this.root.backup(tmp, true);
    await this.root.close();
    renameSync(join(tmp, 'data.mdb'), this.file);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(join(this.dir, 'lock.mdb'), { force: true });
    [this.root, this.dbs] = LmdbBackend.openEnv(this.dir);
    this.sized = undefined;
  }

  static open(dir: string, opts: LmdbBackendOptions = {}): LmdbBackend {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new LmdbBackend(dir, opts);
  }

  get(space: Space, key: Buffer): Buffer | undefined {
    if (this.overlay.size > 0) {
      const o = this.overlay.get(space, key);
      if (o) return o.value;
    }
    return this.dbs[space].getBinary(key) ?? undefined;
  }

  scan(space: Space, from?: Buffer, to?: Buffer): Iterable<Entry> {
    return this.overlay.merge(space, from, to, this.lmdbScan(space, from, to));
  }

  private *lmdbScan(space: Space, from?: Buffer, to?: Buffer): Iterable<Entry> {
    for (const { key, value } of this.dbs[space].getRange({ start: from, end: to, snapshot: false })) {
      yield { key: key as Buffer, value: value as Buffer };
    }
  }

  put(space: Space, key: Buffer, value: Buffer): void {
    this.queue.push([space, key, value]);
    this.queuedSeq++;
  }

  delete(space: Space, key: Buffer): void {
    this.queue.push([space, key, undefined]);
    this.queuedSeq++;
  }

  /** resolves once everything queued before the call is committed and fsynced */
  commit(): Promise<void> {
    if (this.durableSeq >= this.queuedSeq) return this.last;
    const target = this.queuedSeq;
    return new Promise((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      this.schedule();
    });
  }

  // Group commit: everything queued during this event-loop turn (every request read from
  // the sockets in this poll phase) is committed together right after it, in the check
  // phase. One request alone waits for nothing but its own commit.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  // The WAL record is written and fdatasynced on this thread: blocking it during the sync is
  // what batches the requests that arrive meanwhile, and a hand-off to another thread costs
  // more than the sync on a busy machine. LMDB gets the batch asynchronously (lmdb-js puts
  // in one event turn form one transaction) together with the record's sequence number.
  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    this.beforeBatch?.();
    const batch = this.queue;
    const upTo = this.queuedSeq;
    this.queue = [];
    if (this.broken) {
      this.failed(upTo, this.broken);
      return;
    }
    const started = performance.now();
    let seq: number;
    try {
      seq = this.wal.append(this.currentRevision?.() ?? 0, batch);
    } catch (e) {
      this.failed(upTo, e);
      return;
    }
    this.onCommit?.((performance.now() - started) / 1000, batch.length);
    this.apply(batch, seq);
    this.durableSeq = Math.max(this.durableSeq, upTo);
    this.last = Promise.resolve();
    this.settle(this.durableSeq);
    this.sinceCheckpoint++;
    if (this.sinceCheckpoint >= this.snapshotCount || Date.now() - this.checkpointAt >= CHECKPOINT_MS) void this.checkpoint();
  };

  // LMDB gets the logged batches every APPLY_MS (or sooner when many wait), as etcd's bbolt
  // gets a batch every 100 ms: each LMDB commit costs a data sync and a meta-page sync on
  // lmdb-js's thread, and one per group commit would compete with the log's own syncs.
  private apply(batch: Mutation[], seq: number): void {
    for (const m of batch) this.overlay.set(m[0], m[1], m[2], seq);
    this.toApply.push(batch);
    this.toApplyCount += batch.length;
    this.loggedSeq = seq;
    if (this.toApplyCount >= APPLY_MAX) this.applyNow();
    else this.applyTimer ??= setTimeout(this.applyNow, APPLY_MS);
  }

  private readonly applyNow = (): void => {
    if (this.applyTimer) clearTimeout(this.applyTimer);
    this.applyTimer = undefined;
    if (this.toApply.length === 0) return;
    const seq = this.loggedSeq;
    for (const batch of this.toApply) {
      for (const m of batch) {
        if (m[2] === undefined) void this.dbs[m[0]].remove(m[1]);
        else void this.dbs[m[0]].put(m[1], m[2]);
      }
    }
    this.toApply = [];
    this.toApplyCount = 0;
    const done = this.dbs.meta.put(META_WALSEQ, seqBuf(seq));
    this.appliedSeq = seq;
    this.lastApply = done.then(
      () => {
        this.lmdbSeq = Math.max(this.lmdbSeq, seq);
        this.overlay.dropUpTo(seq);
      },
      (e: unknown) => {
        // The batch is in the log (a restart replays it), but this process can no longer
        // keep LMDB in step: refuse further writes.
        this.log(`fatal: LMDB write failed: ${(e as Error).message}`);
        this.broken = e;
        this.failed(this.queuedSeq, e);
        throw e;
      },
    );
    this.lastApply.catch(() => {});
  };

  /** resolves once LMDB has committed everything the log holds so far */
  private async caughtUp(): Promise<void> {
    this.applyNow();
    while (this.lmdbSeq < this.appliedSeq) await this.lastApply;
  }

  /**
   * Once LMDB has committed and synced every record logged so far, the segments before the
   * current one are deleted (etcd likewise releases only whole segments).
   */
  checkpoint(closing = false): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    this.sinceCheckpoint = 0;
    this.checkpointAt = Date.now();
    const upTo = this.wal.lastSeq;
    // Segments before the current one hold only records up to upTo. At close the current
    // one is finished too, so that a clean shutdown leaves no log behind.
    if (closing && this.wal.dirty) this.wal.roll();
    const before = this.wal.segment;
    this.checkpointing = (async () => {
      try {
        this.log(`checkpoint: waiting for the data file to be synced through record ${upTo}`);
        await this.caughtUp();
        await this.root.flushed;
        const n = this.wal.dropOld(before);
        this.log(`checkpoint: data file synced through record ${upTo}; ${n} log segment(s) removed`);
      } catch (e) {
        this.log(`checkpoint failed (the log keeps its records): ${(e as Error).message}`);
      } finally {
        this.checkpointing = undefined;
      }
    })();
    return this.checkpointing;
  }

  private failed(upTo: number, e: unknown): void {
    this.last = Promise.reject(e);
    this.last.catch(() => {});
    this.settle(upTo, e);
  }


  private settle(upTo: number, err?: unknown): void {
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.target > upTo) keep.push(w);
      else if (err) w.reject(err);
      else w.resolve();
    }
    this.waiters = keep;
  }

  readView<T>(fn: (scan: (space: Space) => Iterable<Entry>) => T): T {
    const transaction = this.root.useReadTransaction();
    try {
      return fn((space) => {
        const it = this.dbs[space].getRange({ transaction } as never);
        // The log position is this backend's bookkeeping, not the store's content: LMDB takes a
        // new one at every apply, up to 100 ms after a write, and a view (Hash, a snapshot)
        // must not change with it.
        const base = (function* () {
          for (const { key, value } of it) {
            if (space === 'meta' && META_WALSEQ.equals(key as Buffer)) continue;
            yield { key: key as Buffer, value: value as Buffer };
          }
        })();
        return this.overlay.merge(space, undefined, undefined, base);
      });
    } finally {
      transaction.done();
    }
  }

  // Quota checks ask on every write; the figures may lag by a moment, as etcd's do.
  size(): { size: number; inUse: number } {
    const now = Date.now();
    if (this.sized && now - this.sized.at < 100) return this.sized.value;
    this.sized = { at: now, value: this.measure() };
    return this.sized.value;
  }

  private measure(): { size: number; inUse: number } {
    let size = 0;
    try {
      size = statSync(this.file).size;
    } catch {
      /* not created yet */
    }
    let pages = 4; // the two meta pages and the roots
    let pageSize = 4096;
    for (const s of SPACES) {
      const st = this.dbs[s].getStats() as Record<string, number>;
      pageSize = st.pageSize ?? pageSize;
      pages += (st.treeBranchPageCount ?? 0) + (st.treeLeafPageCount ?? 0) + (st.overflowPages ?? 0);
    }
    return { size, inUse: Math.min(size, pages * pageSize) };
  }

  /** A clean shutdown checkpoints: LMDB synced, the log emptied. */
  async close(): Promise<void> {
    try {
      await this.commit().catch(() => {});
      await this.checkpointing;
      await this.checkpoint(true);
    } finally {
      this.wal.close();
      await this.root.close();
    }
  }
}

function seqBuf(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(n / 0x100000000), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

function readSeq(b: Buffer | undefined): number {
  return b && b.length === 8 ? b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4) : 0;
}
