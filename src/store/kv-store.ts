// The narrow interface every front end (v3 gRPC, snapshot, tests) uses to reach the MVCC
// keyspace. Writes resolve only after they are durable on disk; reads see only durable data.
import type { Event, KeyValue, LeaseID } from './mvcc/key-value.js';

export interface RangeOptions {
  key: Buffer;
  /** empty: single key; "\0": every key >= key; otherwise [key, rangeEnd) */
  rangeEnd?: Buffer;
  /** 0 or absent: the newest durable revision */
  revision?: number;
  limit?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
  sortOrder?: 'NONE' | 'ASCEND' | 'DESCEND';
  sortTarget?: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  more: boolean;
  count: number;
  /** the revision the range was read at (header revision) */
  revision: number;
}

export interface PutOptions {
  key: Buffer;
  value: Buffer;
  lease?: LeaseID;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface DeleteOptions {
  key: Buffer;
  rangeEnd?: Buffer;
  prevKv?: boolean;
}

export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

export interface Compare {
  key: Buffer;
  rangeEnd?: Buffer;
  target: CompareTarget;
  result: CompareResult;
  /** the operand: a number for VERSION/CREATE/MOD, bytes for VALUE, bigint for LEASE */
  operand: number | Buffer | bigint;
}

export type RequestOp =
  | { range: RangeOptions }
  | { put: PutOptions }
  | { deleteRange: DeleteOptions }
  | { txn: TxnRequest };

export type ResponseOp =
  | { range: RangeResult }
  | { put: { prevKv?: KeyValue } }
  | { deleteRange: { deleted: number; prevKvs: KeyValue[] } }
  | { txn: TxnResult };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResult {
  succeeded: boolean;
  responses: ResponseOp[];
  revision: number;
}

export interface WatchOptions {
  key: Buffer;
  rangeEnd?: Buffer;
  /** 0 or absent: from the next revision */
  startRevision?: number;
  prevKv?: boolean;
  filterPut?: boolean;
  filterDelete?: boolean;
}

export interface Watcher {
  cancel(): void;
  /** caught up: every event up to the current revision has been handed to the sink */
  readonly synced: boolean;
}

/** Callbacks for one watcher; events arrive in revision order, each batch one revision or more. */
export interface WatchSink {
  events(events: Event[], revision: number): void;
  /** the start revision was compacted away; the watcher is already cancelled */
  compacted(compactRevision: number): void;
  /** a watcher that started in the past has caught up (after its last history events) */
  synced?(): void;
}

export interface WriteResult {
  revision: number;
}

/** The MVCC keyspace. Every method throws (or rejects with) an EtcdError on bad input. */
export interface KVStore {
  /** the newest durable revision: what a read without a revision sees */
  readonly currentRevision: number;
  /** the revision compacted up to (0 when never compacted) */
  readonly compactRevision: number;
  range(opts: RangeOptions): RangeResult;
  put(opts: PutOptions): Promise<WriteResult & { prevKv?: KeyValue }>;
  deleteRange(opts: DeleteOptions): Promise<WriteResult & { deleted: number; prevKvs: KeyValue[] }>;
  txn(req: TxnRequest): Promise<TxnResult>;
  compact(revision: number): Promise<WriteResult>;
  /** a watch from a compacted revision calls sink.compacted at once */
  watch(opts: WatchOptions, sink: WatchSink): Watcher;
  /** etcd's HashKV: crc32 over the keyspace's revisions up to `revision` (0: newest) */
  hashKV(revision: number): { hash: number; compactRevision: number; revision: number };
  /** bytes the backend file occupies, and bytes in use */
  dbSize(): { size: number; inUse: number };
}

export interface LeaseInfo {
  id: LeaseID;
  /** granted TTL in seconds */
  grantedTTL: number;
  /** seconds left, -1 when expired or missing */
  ttl: number;
  keys: Buffer[];
}

/** The lease keeper. Expiry deletes the attached keys in one revision. */
export interface Lessor {
  grant(id: LeaseID, ttlSeconds: number): Promise<{ id: LeaseID; ttl: number }>;
  revoke(id: LeaseID): Promise<WriteResult>;
  /** returns the TTL the lease was renewed to */
  keepAlive(id: LeaseID): number;
  timeToLive(id: LeaseID): LeaseInfo | undefined;
  leases(): LeaseID[];
}
