// What every gRPC service of one member shares: the store, the lease keeper, identity,
// alarms, the auth gate, settings, logger and metrics, and etcd's response header.
import type { Lessor } from '../kv-store.js';
import type { MvccStore } from '../mvcc/mvcc-store.js';
import type { AlarmStore } from './alarm-store.js';
import type { AuthGate } from './auth-gate.js';
import type { EtcdConfig } from './etcd-config.js';
import type { Logger } from './log.js';
import type { MemberIdentity } from './member-identity.js';
import type { ServerMetrics } from './metrics.js';

/** the member's keyspace, with its durable metadata map, snapshots and defragmentation */
export type MetaStore = MvccStore;

/** int64 fields as the codec takes them (wire-codec.ts): numbers, bigints or decimal strings */
export interface WireHeader {
  cluster_id: bigint | string;
  member_id: bigint | string;
  revision: number | string;
  raft_term: number | string;
}

export class ServerContext {
  /** etcd's raft index: one per applied write; starts at the revision so it never goes back */
  raftIndex: number;

  constructor(
    readonly store: MetaStore,
    readonly lessor: Lessor,
    readonly member: MemberIdentity,
    readonly alarms: AlarmStore,
    readonly auth: AuthGate,
    readonly config: EtcdConfig,
    readonly log: Logger,
    readonly metrics: ServerMetrics,
  ) {
    this.raftIndex = store.currentRevision + 4;
  }

  header(revision: number = this.store.currentRevision): WireHeader {
    // numbers as they are: the codec writes them without a round trip through strings
    return {
      cluster_id: this.member.clusterId,
      member_id: this.member.memberId,
      revision,
      raft_term: this.member.raftTerm,
    };
  }

  applied(): void {
    this.raftIndex++;
    this.metrics.proposalsApplied.inc();
  }
}
