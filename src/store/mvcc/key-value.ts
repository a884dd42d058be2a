// The stored shapes of the v3 keyspace, as etcd's mvccpb defines them.
// Keys and values are raw bytes; revisions fit in a JS number (< 2^53);
// lease IDs are full int64 and so are bigint (0n means "no lease").

export type LeaseID = bigint;

export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  /** number of puts since creation; 0 on a tombstone */
  version: number;
  value: Buffer;
  lease: LeaseID;
}

export type EventType = 'PUT' | 'DELETE';

export interface Event {
  type: EventType;
  /** for DELETE: key and mod_revision (the deletion revision) only, as etcd sends it */
  kv: KeyValue;
  prev_kv?: KeyValue;
}
