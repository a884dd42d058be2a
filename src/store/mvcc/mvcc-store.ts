// The MVCC keyspace of `tskube etcd`: an in-memory index from key to revision history
// over records kept by revision in the backend, like etcd's server/mvcc.
//
// Visibility follows durability: a write is applied to the index at once (so later
// writes and Txn compares see it), but reads without a revision are served at the newest
// *durable* revision, and clients and watchers hear of a write only after its batch is on
// disk. Nobody ever observes a revision that a crash could take back.
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { LmdbBackend } from '../backend/lmdb-backend.js';
import { EtcdError, Errors } from '../errors.js';
import type {
  DeleteOptions,
  KVStore,
  PutOptions,
  RangeOptions,
  RangeResult,
  ResponseOp,
  TxnRequest,
  TxnResult,
  WatchOptions,
  WatchSink,
  Watcher,
  WriteResult,
} from '../kv-store.js';
import { WatchHub } from '../watch/watch-hub.js';
import { compactIndex } from './compaction.js';
import type { KeyValue, LeaseID } from './key-value.js';
import { latest, liveAt } from './key-history.js';
import { toKeyRange } from './key-range.js';
import { MetaMap } from './meta-map.js';
import { rangeQuery } from './range-query.js';
import { decodeRecord } from './record-codec.js';
import { recoverIndex } from './recovery.js';
import { encodeRevision } from './revision.js';
import { hashBackend, hashKV } from './hash.js';
import { TreeIndex } from './tree-index.js';
import { compareHolds } from './txn-compare.js';
import { WriteTxn, type LeaseAttachments } from './write-txn.js';
import { readHistory } from './history.js';

export interface LeaseHooks extends LeaseAttachments {
  exists(id: LeaseID): boolean;
}

interface TxnPath {
  succeeded: boolean;
  nested: Array<TxnPath | undefined>;
}

interface InFlight {
  txn: WriteTxn;
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class MvccStore implements KVStore {
  readonly meta: MetaMap;
  /** keys attached to each lease at startup, for the lease keeper to pick up */
  readonly recoveredLeaseKeys: Map<LeaseID, Set<string>>;
  private readonly index: TreeIndex;
  private readonly hub: WatchHub;
  private appliedRev: number;
  private durableRev: number;
  private compacted: number;
  private readonly pending = new Map<string, KeyValue>();
  private readonly inflight: InFlight[] = [];
  private draining = false;
  private leaseHooks?: LeaseHooks;
  private fatal?: Error;
  private defragmenting = false;
  /** the revision last queued to the backend's meta space */
  private metaRev: number;

  private constructor(
    readonly backend: Backend,
    readonly dataDir: string,
    private readonly log: (line: string) => void,
  ) {
    const rec = recoverIndex(backend);
    this.index = rec.index;
    this.appliedRev = this.durableRev = this.metaRev = rec.revision;
    // The stored revision goes into each batch once, at the newest revision it carries.
    backend.beforeBatch = () => {
      if (this.appliedRev === this.metaRev) return;
      this.metaRev = this.appliedRev;
      backend.put('meta', META_REV, u64(this.appliedRev));
    };
    backend.currentRevision = () => this.appliedRev;
    this.compacted = rec.compactRevision;
    this.recoveredLeaseKeys = rec.leaseKeys;
    this.meta = new MetaMap(backend);
    this.hub = new WatchHub({
      durableRevision: () => this.durableRev,
      compactRevision: () => this.compacted,
      history: (from, to, want, visit) => readHistory(this.backend, this.index, from, to, want, visit),
    });
  }

  static async open(opts: { dataDir: string; log?: (line: string) => void; snapshotCount?: number }): Promise<MvccStore> {
    const backend = LmdbBackend.open(join(opts.dataDir, 'member', 'db'), { snapshotCount: opts.snapshotCount, log: opts.log });
    try {
      const store = new MvccStore(backend, opts.dataDir, opts.log ?? (() => {}));
      // Finish a compaction that a crash interrupted: drop records the index no longer needs.
      if (store.compacted > 0) await store.purge(store.compacted);
      return store;
    } catch (e) {
      await backend.close().catch(() => {});
      throw e;
    }
  }

  get currentRevision(): number {
    return this.durableRev;
  }

  get compactRevision(): number {
    return this.compacted;
  }

  /** number of live keys at the newest applied revision */
  get keyCount(): number {
    let n = 0;
    this.index.forEach((_k, h) => {
      const l = latest(h);
      if (l && !l.tombstone) n++;
    });
    return n;
  }

  setLeaseHooks(hooks: LeaseHooks): void {
    this.leaseHooks = hooks;
  }

  // ---- reads ----

  private readRecord = (main: number, sub: number): KeyValue => {
    const p = this.pending.get(`${main}_${sub}`);
    if (p) return p;
    const raw = this.backend.get('rev', encodeRevision(main, sub));
    if (!raw) throw new EtcdError(13, `etcdserver: mvcc: record ${main}_${sub} missing from backend`);
    return decodeRecord(raw);
  };

  private readLatest = (key: string): KeyValue | undefined => {
    const h = this.index.get(key);
    if (!h) return undefined;
    const l = latest(h);
    if (!l || l.tombstone) return undefined;
    return this.readRecord(l.main, l.sub);
  };

  private checkRev(rev: number): void {
    if (rev > this.durableRev) throw Errors.futureRev();
    if (rev < this.compacted) throw Errors.compacted();
  }

  range(opts: RangeOptions): RangeResult {
    this.throwIfFailed();
    const rev = opts.revision && opts.revision > 0 ? opts.revision : this.durableRev;
    this.checkRev(rev);
    return { ...rangeQuery(this.index, this.readRecord, opts, rev), revision: this.durableRev };
  }

  // ---- writes ----

  private begin(): WriteTxn {
    this.throwIfFailed();
    return new WriteTxn(this.appliedRev + 1, this.index, this.backend, this.pending, this.readLatest, this.leaseHooks);
  }

  /** Finishes a revision: bumps the revision when anything changed, then waits for disk. */
  private async end(txn: WriteTxn): Promise<void> {
    if (txn.changed) {
      this.appliedRev = txn.main;
    } else if (this.inflight.length === 0) {
      return;
    }
    let resolve!: () => void, reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.inflight.push({ txn, done, resolve, reject });
    this.drain();
    return done;
  }

  /** Acknowledges revisions strictly in order, each once its batch is durable. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void (async () => {
      while (this.inflight.length > 0) {
        // Everything queued before this commit() call is durable once it resolves.
        const n = this.inflight.length;
        try {
          await this.backend.commit();
        } catch (e) {
          this.fail(e as Error);
          for (const f of this.inflight.splice(0)) f.reject(this.fatal);
          break;
        }
        for (const f of this.inflight.splice(0, n)) {
          if (f.txn.changed) {
            this.durableRev = Math.max(this.durableRev, f.txn.main);
            for (const k of f.txn.written) this.pending.delete(k);
            this.hub.notify(f.txn.events, f.txn.main);
          }
          f.resolve();
        }
      }
      this.draining = false;
    })();
  }

  private fail(e: Error): void {
    this.fatal = new EtcdError(13, `etcdserver: backend write failed: ${e.message}`);
    this.log(`etcd: fatal: backend write failed, refusing further requests: ${e.message}`);
  }

  private throwIfFailed(): void {
    if (this.fatal) throw this.fatal;
    if (this.defragmenting) throw new EtcdError(14, 'etcdserver: backend is being defragmented, try again');
  }

  /** Shrinks the backend file. Requests that arrive meanwhile are refused as retryable. */
  async defragment(): Promise<void> {
    this.throwIfFailed();
    if (!(this.backend instanceof LmdbBackend)) return;
    this.defragmenting = true;
    try {
      while (this.inflight.length > 0 || this.draining) await new Promise((r) => setImmediate(r));
      await this.backend.defragment();
    } finally {
      this.defragmenting = false;
    }
  }

  private checkLease(lease: LeaseID | undefined): void {
    if (lease && lease !== 0n && !this.leaseHooks?.exists(lease)) throw Errors.leaseNotFound();
  }

  private applyPut(txn: WriteTxn, opts: PutOptions): KeyValue | undefined {
    const key = opts.key.toString('latin1');
    let value = opts.value;
    let lease = opts.lease ?? 0n;
    if (opts.ignoreValue || opts.ignoreLease) {
      const cur = this.readLatest(key);
      if (!cur) throw Errors.keyNotFound();
      if (opts.ignoreValue) value = cur.value;
      if (opts.ignoreLease) lease = cur.lease;
    }
    this.checkLease(lease);
    const prev = txn.put(key, Buffer.from(value), lease);
    return opts.prevKv ? prev : undefined;
  }

  private applyDelete(txn: WriteTxn, opts: DeleteOptions): { deleted: number; prevKvs: KeyValue[] } {
    const { start, end } = toKeyRange(opts.key, opts.rangeEnd);
    const keys: string[] = [];
    this.index.forRange(start, end, (k, h) => {
      if (liveAt(h, this.appliedRev)) keys.push(k);
    });
    const prevKvs: KeyValue[] = [];
    for (const k of keys) {
      const prev = txn.delete(k);
      if (prev && opts.prevKv) prevKvs.push(prev);
    }
    return { deleted: keys.length, prevKvs };
  }

  async put(opts: PutOptions): Promise<WriteResult & { prevKv?: KeyValue }> {
    const txn = this.begin();
    const prevKv = this.applyPut(txn, opts);
    await this.end(txn);
    return { revision: txn.main, prevKv };
  }

  async deleteRange(opts: DeleteOptions): Promise<WriteResult & { deleted: number; prevKvs: KeyValue[] }> {
    const txn = this.begin();
    const r = this.applyDelete(txn, opts);
    await this.end(txn);
    return { revision: txn.changed ? txn.main : this.durableRev, ...r };
  }

  async txn(req: TxnRequest): Promise<TxnResult> {
    const txn = this.begin();
    // As etcd does: decide every branch (nested ones too) against the state before the
    // txn, then validate every op on that path, and only then write — so a bad op leaves
    // the store untouched.
    const path = this.txnPath(req);
    this.precheck(req, path);
    const { succeeded, responses } = this.applyTxn(txn, req, path);
    await this.end(txn);
    return { succeeded, responses, revision: txn.changed ? txn.main : this.durableRev };
  }

  private txnPath(req: TxnRequest): TxnPath {
    const succeeded = req.compare.every((c) => {
      const r = rangeQuery(this.index, this.readRecord, { key: c.key, rangeEnd: c.rangeEnd }, this.appliedRev);
      return compareHolds(c, r.kvs);
    });
    const nested = (succeeded ? req.success : req.failure).map((op) => ('txn' in op ? this.txnPath(op.txn) : undefined));
    return { succeeded, nested };
  }

  private precheck(req: TxnRequest, path: TxnPath): void {
    const ops = path.succeeded ? req.success : req.failure;
    ops.forEach((op, i) => {
      if ('put' in op) {
        const p = op.put;
        if ((p.ignoreValue || p.ignoreLease) && !this.readLatest(p.key.toString('latin1'))) throw Errors.keyNotFound();
        if (!p.ignoreLease) this.checkLease(p.lease);
      } else if ('range' in op) {
        if (op.range.revision && op.range.revision > 0) this.checkRev(op.range.revision);
      } else if ('txn' in op) {
        this.precheck(op.txn, path.nested[i]!);
      }
    });
  }

  private applyTxn(txn: WriteTxn, req: TxnRequest, path: TxnPath): { succeeded: boolean; responses: ResponseOp[] } {
    // Reads inside a txn see the txn's own earlier writes, as in etcd.
    const readRev = () => (txn.changed ? txn.main : this.appliedRev);
    const ops = path.succeeded ? req.success : req.failure;
    const responses = ops.map((op, i): ResponseOp => {
      if ('range' in op) {
        const rev = op.range.revision && op.range.revision > 0 ? op.range.revision : readRev();
        return { range: { ...rangeQuery(this.index, this.readRecord, op.range, rev), revision: readRev() } };
      }
      if ('put' in op) return { put: { prevKv: this.applyPut(txn, op.put) } };
      if ('deleteRange' in op) return { deleteRange: this.applyDelete(txn, op.deleteRange) };
      const r = this.applyTxn(txn, op.txn, path.nested[i]!);
      return { txn: { ...r, revision: readRev() } };
    });
    return { succeeded: path.succeeded, responses };
  }

  /** Deletes the given keys in one revision together with `extra` backend changes (lease revocation). */
  async deleteKeys(keys: Iterable<string>, extra?: (b: Backend) => void): Promise<WriteResult> {
    const txn = this.begin();
    for (const k of keys) txn.delete(k);
    extra?.(this.backend);
    if (!txn.changed && extra) {
      await this.backend.commit();
      return { revision: this.durableRev };
    }
    await this.end(txn);
    return { revision: txn.changed ? txn.main : this.durableRev };
  }

  // ---- compaction ----

  async compact(revision: number): Promise<WriteResult> {
    this.throwIfFailed();
    if (revision <= this.compacted) throw Errors.compacted();
    if (revision > this.durableRev) throw Errors.futureRev();
    this.compacted = revision;
    this.hub.compacted(revision);
    this.backend.put('meta', META_COMPACT, u64(revision));
    await this.backend.commit();
    await this.purge(revision);
    return { revision: this.durableRev };
  }

  /** Drops index entries and backend records that a compaction at `rev` made unreachable. */
  private async purge(rev: number): Promise<void> {
    const removed = compactIndex(this.index, rev);
    for (let i = 0; i < removed.length; i++) {
      const [main, sub, tomb] = removed[i];
      this.backend.delete('rev', encodeRevision(main, sub, tomb));
      // Let other requests in between large batches.
      if (i % 10000 === 9999) {
        await this.backend.commit();
      }
    }
    await this.backend.commit();
    this.log(`etcd: compacted at revision ${rev}, ${removed.length} old revisions removed`);
  }

  // ---- watch, hash, size ----

  watch(opts: WatchOptions, sink: WatchSink): Watcher {
    return this.hub.watch(opts, sink);
  }

  hashKV(revision: number): { hash: number; compactRevision: number; revision: number } {
    const rev = revision > 0 ? revision : this.durableRev;
    this.checkRev(rev);
    return { hash: hashKV(this.backend, rev), compactRevision: this.compacted, revision: this.durableRev };
  }

  /** etcd's Hash: a CRC-32 over the whole backend, and the revision it was taken at */
  hashAll(): { hash: number; revision: number } {
    this.throwIfFailed();
    return { hash: hashBackend(this.backend), revision: this.durableRev };
  }

  dbSize(): { size: number; inUse: number } {
    return this.backend.size();
  }

  /** waits for every write issued so far to be durable */
  async flush(): Promise<void> {
    await this.backend.commit();
  }

  async close(): Promise<void> {
    this.hub.close();
    await this.backend.commit().catch(() => {});
    await this.backend.close();
  }
}

export const META_REV = Buffer.from('rev');
export const META_COMPACT = Buffer.from('compact');

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(n / 0x100000000), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

export function readU64(b: Buffer | undefined): number {
  return b && b.length === 8 ? b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4) : 0;
}
