// The API server's only path to the store: an etcd v3 gRPC client. It speaks to tskube etcd
// and to a real etcd cluster with the same code (rule 2 of DESIGN.md).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface EtcdKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

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

function findProtoDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto', 'etcd', 'rpc.proto');
    if (fs.existsSync(candidate)) return path.dirname(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('proto/etcd/rpc.proto not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

let cachedPackage: any;
function etcdPackage(): any {
  if (!cachedPackage) {
    const dir = findProtoDir();
    const def = protoLoader.loadSync(path.join(dir, 'rpc.proto'), {
      keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [dir],
    });
    cachedPackage = grpc.loadPackageDefinition(def).etcdserverpb;
  }
  return cachedPackage;
}

/** The first key after every key with this prefix (etcd's "range_end" for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) { end[i]++; return end.subarray(0, i + 1); }
  }
  return Buffer.from([0]);
}

interface Member { kv: any; watch: any; lease: any; target: string }

export class EtcdClient {
  private readonly members: Member[];
  private current = 0;

  constructor(endpoints: string[], tls: EtcdTlsFiles = {}) {
    if (endpoints.length === 0) throw new Error('no etcd endpoints given');
    const pkg = etcdPackage();
    this.members = endpoints.map((ep) => {
      const url = new URL(ep.includes('://') ? ep : `http://${ep}`);
      const secure = url.protocol === 'https:';
      const creds = secure
        ? grpc.credentials.createSsl(
          tls.caFile ? fs.readFileSync(tls.caFile) : null,
          tls.keyFile ? fs.readFileSync(tls.keyFile) : null,
          tls.certFile ? fs.readFileSync(tls.certFile) : null)
        : grpc.credentials.createInsecure();
      const target = url.host;
      return {
        target,
        kv: new pkg.KV(target, creds),
        watch: new pkg.Watch(target, creds),
        lease: new pkg.Lease(target, creds),
      };
    });
  }

  /** Calls a unary method, moving to the next endpoint when one is unreachable. */
  private async unary<T>(service: 'kv' | 'lease', method: string, req: unknown): Promise<T> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.members.length; attempt++) {
      const member = this.members[this.current];
      try {
        return await new Promise<T>((resolve, reject) => {
          member[service][method](req, { deadline: Date.now() + 30_000 }, (err: grpc.ServiceError | null, res: T) => err ? reject(err) : resolve(res));
        });
      } catch (err: any) {
        lastErr = err;
        if (err?.code !== grpc.status.UNAVAILABLE) throw err;
        this.current = (this.current + 1) % this.members.length;
      }
    }
    throw lastErr;
  }

  range(key: Buffer, opts: { rangeEnd?: Buffer; revision?: number; limit?: number; countOnly?: boolean; keysOnly?: boolean } = {}): Promise<RangeResponse> {
    // An empty range_end is left out: protobufjs sends a zero-length Buffer as a range over every key.
    const req: Record<string, unknown> = { key, revision: String(opts.revision ?? 0), limit: String(opts.limit ?? 0), count_only: !!opts.countOnly, keys_only: !!opts.keysOnly };
    if (opts.rangeEnd?.length) req.range_end = opts.rangeEnd;
    return this.unary('kv', 'Range', req);
  }

  txn(req: { compare: unknown[]; success: unknown[]; failure?: unknown[] }): Promise<TxnResponse> {
    return this.unary('kv', 'Txn', { compare: req.compare, success: req.success, failure: req.failure ?? [] });
  }

  async leaseGrant(ttlSeconds: number): Promise<string> {
    const res = await this.unary<{ ID: string }>('lease', 'LeaseGrant', { TTL: String(ttlSeconds), ID: '0' });
    return res.ID;
  }

  /**
   * Watches [key, rangeEnd) from startRevision with previous values. onEvents gets each batch
   * with the revision it belongs to; onError ends the watch (CompactedError when too old).
   */
  watch(key: Buffer, rangeEnd: Buffer, startRevision: number,
    onEvents: (events: EtcdEvent[], revision: number) => void, onError: (err: Error) => void): () => void {
    const stream = this.members[this.current].watch.Watch();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      stream.cancel?.();
      if (err) onError(err);
    };
    stream.on('data', (res: any) => {
      if (done) return;
      if (res.canceled) {
        const compact = Number(res.compact_revision);
        finish(compact > 0 ? new CompactedError(startRevision, compact) : new Error(res.cancel_reason || 'watch canceled by etcd'));
        return;
      }
      if (res.events?.length) onEvents(res.events, Number(res.header.revision));
    });
    stream.on('error', (err: any) => { if (err?.code !== grpc.status.CANCELLED) finish(err); });
    stream.on('end', () => finish(new Error('etcd watch stream ended')));
    const create: Record<string, unknown> = { key, start_revision: String(startRevision), prev_kv: true, progress_notify: false };
    if (rangeEnd.length) create.range_end = rangeEnd;
    stream.write({ create_request: create });
    return () => { done = true; stream.cancel?.(); };
  }

  close(): void {
    for (const m of this.members) { m.kv.close(); m.watch.close(); m.lease.close(); }
  }
}
