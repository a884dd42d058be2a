// Kubernetes objects over etcd v3: JSON values at upstream keys, resourceVersion taken from
// the key's mod_revision, optimistic concurrency with Txn compares on that revision.
import { EtcdClient, prefixEnd, type EtcdEvent, type EtcdKeyValue, type WatchHandle } from './etcd-client.js';
import type { ValueTransformer } from '../encryption/storage-transformer.js';

export type KubeObject = Record<string, any> & { metadata?: Record<string, any> };

/** stale: read with a key that is no longer the writing one (encryption); rewrite on update. */
export interface Stored { key: string; obj: KubeObject; modRevision: number; stale?: boolean }

const enc = (s: string) => Buffer.from(s, 'utf8');

let transformer: ValueTransformer | undefined;
/** Encryption at rest (src/apiserver/encryption/storage-transformer.ts), set once at start. */
export function setValueTransformer(t: ValueTransformer | undefined): void { transformer = t; }

export function decode(kv: EtcdKeyValue): Stored {
  const key = kv.key.toString('utf8');
  const t = transformer?.fromStorage(key, kv.value);
  const obj = JSON.parse((t?.data ?? kv.value).toString('utf8')) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.mod_revision);
  return { key, obj, modRevision: Number(kv.mod_revision), ...(t?.stale ? { stale: true } : {}) };
}

/** resourceVersion is never stored: it is the key's revision (as upstream's etcd3 store does). */
function encode(key: string, obj: KubeObject): Buffer {
  const meta = { ...obj.metadata };
  delete meta.resourceVersion;
  const plain = enc(JSON.stringify({ ...obj, metadata: meta }));
  return transformer ? transformer.toStorage(key, plain) : plain;
}

export interface ListResult { items: Stored[]; revision: number; more: boolean; remaining: number }

/** Wraps every etcd call (metrics): operation, the resource segment of the key, the call. */
export type EtcdCallTimer = <T>(operation: string, type: string, call: () => Promise<T>) => Promise<T>;

/** "/registry/pods/ns/name" → "pods" (the etcd_request_duration_seconds type label). */
const typeOf = (key: string) => { const a = key.indexOf('/', 1); const b = key.indexOf('/', a + 1); return a < 0 ? key : key.slice(a + 1, b < 0 ? undefined : b); };

export class ObjectStore {
  /** Set by the server to time etcd calls. */
  timer: EtcdCallTimer = (_op, _type, call) => call();

  constructor(readonly etcd: EtcdClient) {}

  async get(key: string): Promise<Stored | undefined> {
    const res = await this.timer('get', typeOf(key), () => this.etcd.range(enc(key)));
    return res.kvs.length ? decode(res.kvs[0]) : undefined;
  }

  /** Creates only when the key does not exist; returns the new revision or undefined. */
  async create(key: string, obj: KubeObject, lease?: string): Promise<number | undefined> {
    const res = await this.timer('create', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: enc(key), value: encode(key, obj), lease: lease ?? '0' } }],
    }));
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Writes only if the key is still at modRevision; returns the new revision or undefined. */
  async update(key: string, obj: KubeObject, modRevision: number, lease?: string): Promise<number | undefined> {
    const res = await this.timer('update', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_put: { key: enc(key), value: encode(key, obj), lease: lease ?? '0' } }],
    }));
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Deletes only if the key is still at modRevision; returns the deletion revision or undefined. */
  async delete(key: string, modRevision: number): Promise<number | undefined> {
    const res = await this.timer('delete', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_delete_range: { key: enc(key) } }],
    }));
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Lists keys under prefix starting at startKey (inclusive), at a revision (0: newest). */
  async list(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<ListResult> {
    const res = await this.timer('list', typeOf(prefix), () => this.etcd.range(enc(opts.startKey ?? prefix), {
      rangeEnd: prefixEnd(enc(prefix)), revision: opts.revision, limit: opts.limit,
    }));
    const items = res.kvs.map(decode);
    return { items, revision: Number(res.header.revision), more: res.more, remaining: Number(res.count) - items.length };
  }

  /** The store's current revision (for resourceVersion of empty lists and watches). */
  async currentRevision(): Promise<number> {
    const res = await this.etcd.range(enc('/'), { limit: 1, countOnly: true });
    return Number(res.header.revision);
  }

  watch(prefix: string, fromRevision: number, onEvents: (events: EtcdEvent[], revision: number) => void, onError: (err: Error) => void,
    onProgress?: (revision: number) => void): WatchHandle {
    const key = enc(prefix);
    return this.etcd.watch(key, prefix.endsWith('/') ? prefixEnd(key) : Buffer.alloc(0), fromRevision, onEvents, onError, onProgress);
  }
}
