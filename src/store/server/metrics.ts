// Prometheus metrics of one member under etcd's metric names, in a registry of its own
// (several components may share one process).
import type { Socket } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KVStore } from '../kv-store.js';

// The 3.4 release with etcd-io/etcd#15220's fix, which this store follows (see watch-service.ts):
// the API server trusts watch progress notifications only from such versions, as upstream's.
export const SERVER_VERSION = '3.4.34';
export const CLUSTER_VERSION = '3.4.0';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly commitDuration: Histogram;
  readonly walFsyncDuration: Histogram;
  readonly grpcStarted: Counter;
  readonly grpcHandled: Counter;
  readonly grpcMsgReceived: Counter;
  readonly grpcMsgSent: Counter;
  readonly proposalsApplied: Counter;
  readonly watchers: Gauge;
  readonly watchStreams: Gauge;
  readonly ops: Record<'put' | 'delete' | 'range' | 'txn', Counter>;
  private readonly sockets = new Map<Socket, { read: number; written: number }>();
  private readonly grpcReceived: Counter;
  private readonly grpcSent: Counter;

  constructor(store: KVStore, memberIdHex: string, quotaBytes: number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, value: () => number, labels?: Record<string, string>) =>
      new Gauge({
        name,
        help,
        registers,
        labelNames: labels ? Object.keys(labels) : [],
        collect() {
          if (labels) this.set(labels, value());
          else this.set(value());
        },
      });
    gauge('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.', () => 1);
    gauge('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.', () => 1);
    gauge('etcd_server_is_learner', 'Whether or not this member is a learner. 1 if is, 0 otherwise.', () => 0);
    gauge('etcd_server_id', 'Server or member ID in hexadecimal format. 1 for \'server_id\' label with current ID.', () => 1, {
      server_id: memberIdHex,
    });
    gauge('etcd_server_version', 'Which version is running. 1 for \'server_version\' label with current version.', () => 1, {
      server_version: SERVER_VERSION,
    });
    gauge('etcd_cluster_version', 'Which version is running. 1 for \'cluster_version\' label with current cluster version', () => 1, {
      cluster_version: CLUSTER_VERSION.split('.').slice(0, 2).join('.'),
    });
    gauge('etcd_server_quota_backend_bytes', 'Current backend storage quota size in bytes.', () => quotaBytes);
    gauge('etcd_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.', () => store.dbSize().size);
    gauge('etcd_mvcc_db_total_size_in_use_in_bytes', 'Total size of the underlying database logically in use in bytes.', () => store.dbSize().inUse);
    gauge('etcd_debugging_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.', () => store.dbSize().size);
    gauge('etcd_debugging_mvcc_current_revision', 'The current revision of store.', () => store.currentRevision);
    gauge('etcd_debugging_mvcc_compact_revision', 'The revision of the last compaction in store.', () => store.compactRevision);
    gauge('etcd_debugging_mvcc_keys_total', 'Total number of keys.', () => {
      const all = Buffer.from([0]);
      return store.range({ key: all, rangeEnd: all, countOnly: true }).count;
    });
    new Counter({
      name: 'etcd_server_leader_changes_seen_total',
      help: 'The number of leader changes seen.',
      registers,
    }).inc();
    this.proposalsApplied = new Counter({ name: 'etcd_server_proposals_applied_total', help: 'The total number of consensus proposals applied.', registers });
    this.commitDuration = new Histogram({
      name: 'etcd_disk_backend_commit_duration_seconds',
      help: 'The latency distributions of commit called by backend.',
      buckets: Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i),
      registers,
    });
    // tskube has no WAL: the backend commit is the fsync that makes a write durable, so
    // both of etcd's disk histograms observe it (one observation per group commit)
    this.walFsyncDuration = new Histogram({
      name: 'etcd_disk_wal_fsync_duration_seconds',
      help: 'The latency distributions of fsync called by WAL.',
      buckets: Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i),
      registers,
    });
    const grpcLabels = ['grpc_type', 'grpc_service', 'grpc_method'];
    this.grpcStarted = new Counter({ name: 'grpc_server_started_total', help: 'Total number of RPCs started on the server.', labelNames: grpcLabels, registers });
    this.grpcHandled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: [...grpcLabels, 'grpc_code'],
      registers,
    });
    this.grpcMsgReceived = new Counter({ name: 'grpc_server_msg_received_total', help: 'Total number of RPC stream messages received on the server.', labelNames: grpcLabels, registers });
    this.grpcMsgSent = new Counter({ name: 'grpc_server_msg_sent_total', help: 'Total number of gRPC stream messages sent by the server.', labelNames: grpcLabels, registers });
    const sample = () => this.sampleSockets();
    this.grpcReceived = new Counter({
      name: 'etcd_network_client_grpc_received_bytes_total',
      help: 'The total number of bytes received from grpc clients.',
      registers,
      collect: sample,
    });
    this.grpcSent = new Counter({ name: 'etcd_network_client_grpc_sent_bytes_total', help: 'The total number of bytes sent to grpc clients.', registers });
    this.watchers = new Gauge({ name: 'etcd_debugging_mvcc_watcher_total', help: 'Total number of watchers.', registers });
    this.watchStreams = new Gauge({ name: 'etcd_debugging_mvcc_watch_stream_total', help: 'Total number of watch streams.', registers });
    const op = (name: string, help: string) => new Counter({ name, help, registers });
    this.ops = {
      put: op('etcd_mvcc_put_total', 'Total number of puts seen by this member.'),
      delete: op('etcd_mvcc_delete_total', 'Total number of deletes seen by this member.'),
      range: op('etcd_mvcc_range_total', 'Total number of ranges seen by this member.'),
      txn: op('etcd_mvcc_txn_total', 'Total number of txns seen by this member.'),
    };
  }

  /** count the bytes of a connection that carries gRPC */
  trackGrpcSocket(socket: Socket): void {
    this.sockets.set(socket, { read: 0, written: 0 });
    socket.once('close', () => {
      this.sampleSocket(socket);
      this.sockets.delete(socket);
    });
  }

  private sampleSocket(socket: Socket): void {
    const seen = this.sockets.get(socket);
    if (!seen) return;
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    if (read > seen.read) this.grpcReceived.inc(read - seen.read);
    if (written > seen.written) this.grpcSent.inc(written - seen.written);
    seen.read = read;
    seen.written = written;
  }

  private sampleSockets(): void {
    for (const s of this.sockets.keys()) this.sampleSocket(s);
  }
}
