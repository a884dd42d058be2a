// The narrow storage engine interface under the MVCC store (in the spirit of kine's
// drivers): ordered byte keys in three spaces, writes queued into the current batch, and
// one promise per batch that resolves once the batch is durable on disk.

export type Space = 'rev' | 'meta' | 'lease';

export interface Entry {
  key: Buffer;
  value: Buffer;
}

export interface Backend {
  get(space: Space, key: Buffer): Buffer | undefined;
  /** ordered scan of [from, to); `to` undefined means to the end */
  scan(space: Space, from?: Buffer, to?: Buffer): Iterable<Entry>;
  put(space: Space, key: Buffer, value: Buffer): void;
  delete(space: Space, key: Buffer): void;
  /** resolves when every write queued so far is durable (fsynced) and visible to reads */
  commit(): Promise<void>;
  /** a consistent point-in-time view of every space, for snapshots and hashing */
  readView<T>(fn: (scan: (space: Space) => Iterable<Entry>) => T): T;
  size(): { size: number; inUse: number };
  /**
   * called just before a batch is issued, to add writes that only the batch's last state
   * needs (the store's revision counter: one write per batch instead of one per revision)
   */
  beforeBatch?: () => void;
  /** the store revision a batch carries (recorded in the write-ahead log) */
  currentRevision?: () => number;
  /** called once per committed batch (one transaction, one fsync) with its duration in seconds */
  onCommit?: (seconds: number, writes: number) => void;
  close(): Promise<void>;
}
