// The Backend on LMDB (npm `lmdb`): a memory-mapped B+tree with crash-safe commits.
//
// Group commit: writes queued during one event-loop turn go into one LMDB transaction,
// committed (and fsynced) on this thread at the end of the turn, so concurrent requests
// share one fsync. The same property makes the writes of one etcd Txn atomic.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Backend, Entry, Space } from './backend.js';
import { checkLmdbFile } from './lmdb-file-check.js';

const SPACES: Space[] = ['rev', 'meta', 'lease'];

export class LmdbBackend implements Backend {
  private root: RootDatabase<Buffer, Buffer>;
  private dbs: Record<Space, Database<Buffer, Buffer>>;
  private readonly file: string;
  private queue: Array<[Space, Buffer, Buffer | undefined]> = [];
  private scheduled = false;
  /** writes queued so far, and how many of them are durable */
  private queuedSeq = 0;
  private durableSeq = 0;
  private waiters: Array<{ target: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private last: Promise<void> = Promise.resolve();
  private sized?: { at: number; value: { size: number; inUse: number } };
  onCommit?: (seconds: number, writes: number) => void;
  beforeBatch?: () => void;

  private constructor(private readonly dir: string) {
    this.file = join(dir, 'data.mdb');
    checkLmdbFile(this.file);
    [this.root, this.dbs] = LmdbBackend.openEnv(dir);
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

  static open(dir: string): LmdbBackend {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new LmdbBackend(dir);
  }

  get(space: Space, key: Buffer): Buffer | undefined {
    return this.dbs[space].getBinary(key) ?? undefined;
  }

  *scan(space: Space, from?: Buffer, to?: Buffer): Iterable<Entry> {
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

  // The commit runs on this thread, fsync included (LMDB's durable commit: data pages
  // fdatasync'd, then the meta page written synchronously), so a write is durable when
  // transactionSync returns. Handing it to lmdb-js's write thread instead costs two thread
  // wake-ups per commit, which on a busy machine cost more than the fsync; and blocking
  // this thread during the fsync is what batches the requests that arrive meanwhile.
  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    this.beforeBatch?.();
    const batch = this.queue;
    const upTo = this.queuedSeq;
    this.queue = [];
    const started = performance.now();
    try {
      this.root.transactionSync(() => {
        for (const [space, key, value] of batch) {
          if (value === undefined) this.dbs[space].removeSync(key);
          else this.dbs[space].putSync(key, value);
        }
      });
    } catch (e) {
      this.failed(upTo, e);
      return;
    }
    this.onCommit?.((performance.now() - started) / 1000, batch.length);
    this.durableSeq = Math.max(this.durableSeq, upTo);
    this.last = Promise.resolve();
    this.settle(this.durableSeq);
  };

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
        return (function* () {
          for (const { key, value } of it) yield { key: key as Buffer, value: value as Buffer };
        })();
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

  async close(): Promise<void> {
    await this.root.close();
  }
}
