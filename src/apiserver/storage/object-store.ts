// Kubernetes objects over etcd v3: JSON values at upstream keys, resourceVersion taken from
// the key's mod_revision, optimistic concurrency with Txn compares on that revision.
import { EtcdClient, prefixEnd, type EtcdEvent, type EtcdKeyValue, type WatchHandle } from './etcd-client.js';
import type { ValueTransformer } from '../encryption/storage-transformer.js';
import { encodeStored, servedJSON } from './object-json.js';

export type KubeObject = Record<string, any> & { metadata?: Record<string, any> };

/**
 * An object read from etcd: its stored text, parsed only when `obj` is first read; `json` is
 * the served JSON (resourceVersion spliced in, no parse). stale: read with an encryption key
 * that is no longer the writing one; rewrite on update.
 */
export class Stored {
  private parsed?: KubeObject;
  constructor(readonly key: string, readonly text: string, readonly modRevision: number, readonly stale?: boolean) {}

  get obj(): KubeObject {
    if (!this.parsed) {
      const obj = JSON.parse(this.text) as KubeObject;
      obj.metadata = obj.metadata ?? {};
      obj.metadata.resourceVersion = String(this.modRevision);
      this.parsed = obj;
    }
    return this.parsed;
  }

  get json(): string { return servedJSON(this.text, this.modRevision); }
}

const enc = (s: string) => Buffer.from(s, 'utf8');

let transformer: ValueTransformer | undefined;
/** Encryption at rest (src/apiserver/encryption/storage-transformer.ts), set once at start. */
export function setValueTransformer(t: ValueTransformer | undefined): void { transformer = t; }

/** The stored text of a value (decrypted when encryption at rest applies). */
function plainText(key: string, value: Buffer): { text: string; stale: boolean } {
  const t = transformer?.fromStorage(key, value);
  return { text: (t?.data ?? value).toString('utf8'), stale: !!t?.stale };
}

export function decode(kv: EtcdKeyValue): Stored {
  const key = kv.key.toString('utf8');
  const { text, stale } = plainText(key, kv.value);
  return new Stored(key, text, Number(kv.mod_revision), stale || undefined);
}

/** resourceVersion is never stored: it is the key's revision (as upstream's etcd3 store does). */
function encode(key: string, obj: KubeObject | string): Buffer {
  const plain = enc(typeof obj === 'string' ? obj : encodeStored(obj));
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
  async create(key: string, obj: KubeObject | string, lease?: string): Promise<number | undefined> {
    const res = await this.timer('create', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: enc(key), value: encode(key, obj), lease: lease ?? '0' } }],
    }));
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /** Writes only if the key is still at modRevision; returns the new revision or undefined. */
  async update(key: string, obj: KubeObject | string, modRevision: number, lease?: string): Promise<number | undefined> {
    const res = await this.timer('update', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_put: { key: enc(key), value: encode(key, obj), lease: lease ?? '0' } }],
    }));
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /**
   * Writes only if the key is still at modRevision, in one round trip either way: the new
   * revision, or (the compare failed) the key's current value read in the same transaction.
   */
  async updateOrCurrent(key: string, text: string, modRevision: number, lease?: string): Promise<{ revision?: number; current?: Stored }> {
    const res = await this.timer('update', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_put: { key: enc(key), value: encode(key, text), lease: lease ?? '0' } }],
      failure: [{ request_range: { key: enc(key) } }],
    }));
    if (res.succeeded) return { revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs?.[0];
    return { current: kv ? decode(kv) : undefined };
  }

  /** As updateOrCurrent, for a delete. */
  async deleteOrCurrent(key: string, modRevision: number): Promise<{ revision?: number; current?: Stored }> {
    const res = await this.timer('delete', typeOf(key), () => this.etcd.txn({
      compare: [{ key: enc(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_delete_range: { key: enc(key) } }],
      failure: [{ request_range: { key: enc(key) } }],
    }));
    if (res.succeeded) return { revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs?.[0];
    return { current: kv ? decode(kv) : undefined };
  }

  /** True when values are encrypted at rest (their staleness is only known from etcd). */
  get transforms(): boolean { return !!transformer; }

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

  /** Whether a watch progress notification promises every event up to its revision (see EtcdClient). */
  supportsWatchProgress(): Promise<boolean> { return this.etcd.supportsWatchProgress(); }

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
