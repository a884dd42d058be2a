// The API server's only path to the store: an etcd v3 gRPC client. It speaks to tskube etcd
// and to a real etcd cluster with the same code (rule 2 of DESIGN.md).
import fs from 'node:fs';
import { GrpcStatus, GrpcChannel, type GrpcCallError, type GrpcStream } from './etcd-wire/grpc-channel.js';
import { WATCH_PROGRESS_REQUEST, decodeWatchResponse, encodeWatchCreate } from './etcd-wire/watch-messages.js';
import { ProtoReader } from './etcd-wire/protobuf.js';
import {
  decodeLeaseGrantResponse, decodeRangeResponse, decodeTxnResponse, encodeLeaseGrantRequest, encodeRangeRequest, encodeTxnRequest,
  type KeyValueMessage, type TxnRequestMessage,
} from './etcd-wire/kv-messages.js';

/** A stored key-value as the client hands it on (Range, Txn and Watch alike). */
export type EtcdKeyValue = KeyValueMessage;

export interface EtcdEvent {
  type: 'PUT' | 'DELETE';
  kv: EtcdKeyValue;
  prev_kv?: EtcdKeyValue | null;
}

export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface RangeResponse {
  header: { revision: string };
  kvs: EtcdKeyValue[];
  more: boolean;
  count: string;
}

export interface TxnResponse {
  header: { revision: string };
  succeeded: boolean;
  responses: Array<{ response_range?: RangeResponse; response_put?: { prev_kv?: EtcdKeyValue }; response_delete_range?: { deleted: string; prev_kvs: EtcdKeyValue[] } }>;
}

/** Thrown when a watch starts below the store's compacted revision (k8s answers 410 Gone). */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compactRevision: number) {
    super(`required revision ${requested} has been compacted (compact revision ${compactRevision})`);
  }
}

/** The first key after every key with this prefix (etcd's "range_end" for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) { end[i]++; return end.subarray(0, i + 1); }
  }
  return Buffer.from([0]);
}

/** Unary calls (Range, Txn, LeaseGrant) go over `rpc`; watch streams over their own connection, as a busy watch does not hold up calls. */
interface Member { rpc: GrpcChannel; watch: GrpcChannel; target: string }

/** Stops a watch when called; requestProgress asks etcd for the revision the watch has reached. */
export type WatchHandle = (() => void) & { requestProgress(): void };

export class EtcdClient {
  private readonly members: Member[];
  private current = 0;

  constructor(endpoints: string[], tls: EtcdTlsFiles = {}) {
    if (endpoints.length === 0) throw new Error('no etcd endpoints given');
    this.members = endpoints.map((ep) => {
      const url = new URL(ep.includes('://') ? ep : `http://${ep}`);
      const secure = url.protocol === 'https:';
      const files = secure
        ? { ca: tls.caFile ? fs.readFileSync(tls.caFile) : undefined, key: tls.keyFile ? fs.readFileSync(tls.keyFile) : undefined, cert: tls.certFile ? fs.readFileSync(tls.certFile) : undefined }
        : undefined;
      // No message size cap (upstream's client: MaxCallRecvMsgSize = MaxInt32): a list of every
      // pod in a large cluster is many megabytes.
      return { target: url.host, rpc: new GrpcChannel(url.host, files), watch: new GrpcChannel(url.host, files) };
    });
  }

  /** Calls a unary method (path: /etcdserverpb.KV/Range, …), moving to the next endpoint when one is unreachable. */
  private async unary(path: string, req: Buffer): Promise<Buffer> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.members.length; attempt++) {
      const member = this.members[this.current];
      try {
        return await member.rpc.call(path, req, 30_000);
      } catch (err: any) {
        lastErr = err;
        if (err?.code !== GrpcStatus.UNAVAILABLE) throw err;
        this.current = (this.current + 1) % this.members.length;
      }
    }
    throw lastErr;
  }

  range(key: Buffer, opts: { rangeEnd?: Buffer; revision?: number; limit?: number; countOnly?: boolean; keysOnly?: boolean } = {}): Promise<RangeResponse> {
    // An empty range_end is left out (a zero-length one would be a range over every key).
    const req = encodeRangeRequest({ key, range_end: opts.rangeEnd, revision: opts.revision, limit: opts.limit, count_only: opts.countOnly, keys_only: opts.keysOnly });
    return this.unary('/etcdserverpb.KV/Range', req).then((b) => decodeRangeResponse(b));
  }

  private progressSafe?: Promise<boolean>;

  /**
   * Whether every member answers a watch progress request only once its watchers have caught up,
   * so that a progress revision promises that every event up to it was delivered. etcd before
   * 3.4.31 (3.5 before 3.5.13) answers at once even while a new watcher replays history
   * (etcd-io/etcd#15220; Debian's 3.4.23 does, proven in test/store/suite-watch), so, as
   * upstream's feature support checker, the API server trusts progress only on fixed versions.
   * Asked once; a member that cannot be asked makes the answer false for 10 s, then it is asked
   * again (so a member that is down costs a consistent list no Status call on every request).
   */
  supportsWatchProgress(): Promise<boolean> {
    this.progressSafe ??= Promise.all(this.members.map(async (m) => {
      const r = new ProtoReader(await m.rpc.call('/etcdserverpb.Maintenance/Status', Buffer.alloc(0), 5000));
      let version = '';
      while (r.next()) { if (r.field === 2) version = r.bytes().toString(); else r.skip(); }
      return progressFixed(version);
    })).then((all) => all.every(Boolean), () => {
      setTimeout(() => { this.progressSafe = undefined; }, 10_000).unref();
      return false;
    });
    return this.progressSafe;
  }

  txn(req: TxnRequestMessage): Promise<TxnResponse> {
    return this.unary('/etcdserverpb.KV/Txn', encodeTxnRequest(req)).then(decodeTxnResponse);
  }

  async leaseGrant(ttlSeconds: number): Promise<string> {
    const res = decodeLeaseGrantResponse(await this.unary('/etcdserverpb.Lease/LeaseGrant', encodeLeaseGrantRequest(ttlSeconds)));
    if (res.error) throw new Error(`etcd lease grant: ${res.error}`);
    return res.ID;
  }

  /**
   * Watches [key, rangeEnd) from startRevision with previous values. onEvents gets each batch
   * with the revision it belongs to; onProgress gets the store's revision when etcd says the
   * watch has seen everything up to it (progress notifications and requestProgress()); onError
   * ends the watch (CompactedError when too old). When the member serving the watch goes away
   * the watch moves to the next endpoint and resumes after the last revision it delivered, as
   * etcd's clientv3 does, so a member failure costs the caller nothing.
   */
  watch(key: Buffer, rangeEnd: Buffer, startRevision: number,
    onEvents: (events: EtcdEvent[], revision: number) => void, onError: (err: Error) => void,
    onProgress: (revision: number) => void = () => {}): WatchHandle {
    let done = false;
    let next = startRevision;
    let stream: GrpcStream | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (retry) clearTimeout(retry);
      stream?.cancel();
      if (err) onError(err);
    };
    const open = () => {
      retry = undefined;
      const member = this.members[this.current];
      let created = false;
      const failover = (why: string) => {
        if (done || s !== stream) return;
        s.cancel();
        stream = undefined;
        // Move on only if nobody else did already (a unary call may have failed over first).
        if (this.members[this.current] === member) this.current = (this.current + 1) % this.members.length;
        failures++;
        const delay = failures < this.members.length ? 0 : Math.min(2000, 100 * 2 ** Math.min(5, failures - this.members.length));
        this.onWatchFailover?.(member.target, why);
        retry = setTimeout(open, delay);
      };
      const onMessage = (msg: Buffer) => {
        if (done || s !== stream) return;
        const res = decodeWatchResponse(msg);
        if (res.canceled) {
          const compact = Number(res.compact_revision);
          if (compact > 0) { finish(new CompactedError(next, compact)); return; }
          failover(res.cancel_reason || 'watch canceled by etcd');
          return;
        }
        if (res.created) { created = true; failures = 0; return; }
        const revision = Number(res.header.revision);
        if (res.events.length) {
          next = Number(res.events[res.events.length - 1].kv.mod_revision) + 1;
          onEvents(res.events, revision);
        } else if (created && revision > 0) {
          onProgress(revision);
        }
      };
      const onEnd = (err: GrpcCallError | undefined) => {
        if (!err) { failover('etcd watch stream ended'); return; }
        if (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.INTERNAL || err.code === GrpcStatus.UNKNOWN) failover(err.details);
        else finish(err);
      };
      // hasleader: a member cut off from its cluster ends the stream instead of going quiet.
      // The callbacks run only after this returns (openStream never calls them synchronously).
      const s: GrpcStream = stream = member.watch.openStream('/etcdserverpb.Watch/Watch', { hasleader: 'true' }, onMessage, onEnd);
      s.write(encodeWatchCreate({ key, range_end: rangeEnd, start_revision: next, prev_kv: true, progress_notify: true }));
    };
    open();
    const stop = () => { done = true; if (retry) clearTimeout(retry); stream?.cancel(); };
    return Object.assign(stop, {
      requestProgress: () => { if (!done && stream) stream.write(WATCH_PROGRESS_REQUEST); },
    });
  }

  /** Told when a watch moves off an endpoint (logging). */
  onWatchFailover?: (target: string, why: string) => void;

  close(): void {
    for (const m of this.members) { m.rpc.close(); m.watch.close(); }
  }
}

/** etcd versions with the etcd-io/etcd#15220 fix: 3.4.31+ in 3.4, 3.5.13+ in 3.5, 3.6 and later. */
export function progressFixed(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}
