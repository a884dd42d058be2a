// Kubernetes objects over etcd v3: JSON values at upstream keys, resourceVersion taken from
// the key's mod_revision, optimistic concurrency with Txn compares on that revision.
import { EtcdClient, prefixEnd, type EtcdEvent, type EtcdKeyValue } from './etcd-client.js';

export type KubeObject = Record<string, any> & { metadata?: Record<string, any> };

export interface Stored { key: string; obj: KubeObject; modRevision: number }

const enc = (s: string) => Buffer.from(s, 'utf8');

export function decode(kv: EtcdKeyValue): Stored {
  const obj = JSON.parse(kv.value.toString('utf8')) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.mod_revision);
  return { key: kv.key.toString('utf8'), obj, modRevision: Number(kv.mod_revision) };
}

/** resourceVersion is never stored: it is the key's revision (as upstream's etcd3 store does). */
function encode(obj: KubeObject): Buffer {
  const meta = { ...obj.metadata };
  delete meta.resourceVersion;
  return enc(JSON.stringify({ ...obj, metadata: meta }));
}

export interface ListResult { items: Stored[]; revision: number; more: boolean; remaining: number }

export class ObjectStore {
  constructor(readonly etcd: EtcdClient) {}

  async get(key: string): Promise<Stored | undefined> {
    const res = await this.etcd.range(enc(key));
    return res.kvs.length ? decode(res.kvs[0]) : undefined;
  }

  /** Creates only when the key does not exist; returns the new revision or undefined. */
  async create(key: string, obj: KubeObject, lease?: string): Promise<number | undefined> {
    const res = await this.etcd.txn({
      compare: [{ key: enc(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: enc(key), value: encode(obj), lease: lease ?? '0' } }],
    });
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Writes only if the key is still at modRevision; returns the new revision or undefined. */
  async update(key: string, obj: KubeObject, modRevision: number, lease?: string): Promise<number | undefined> {
    const res = await this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_put: { key: enc(key), value: encode(obj), lease: lease ?? '0' } }],
    });
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Deletes only if the key is still at modRevision; returns the deletion revision or undefined. */
  async delete(key: string, modRevision: number): Promise<number | undefined> {
    const res = await this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_delete_range: { key: enc(key) } }],
    });
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Lists keys under prefix starting at startKey (inclusive), at a revision (0: newest). */
  async list(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<ListResult> {
    const res = await this.etcd.range(enc(opts.startKey ?? prefix), {
      rangeEnd: prefixEnd(enc(prefix)), revision: opts.revision, limit: opts.limit,
    });
    const items = res.kvs.map(decode);
    return { items, revision: Number(res.header.revision), more: res.more, remaining: Number(res.count) - items.length };
  }

  /** The store's current revision (for resourceVersion of empty lists and watches). */
  async currentRevision(): Promise<number> {
    const res = await this.etcd.range(enc('/'), { limit: 1, countOnly: true });
    return Number(res.header.revision);
  }

  watch(prefix: string, fromRevision: number, onEvents: (events: EtcdEvent[], revision: number) => void, onError: (err: Error) => void): () => void {
    const key = enc(prefix);
    return this.etcd.watch(key, prefix.endsWith('/') ? prefixEnd(key) : Buffer.alloc(0), fromRevision, onEvents, onError);
  }
}
