// The changes of one revision being built: every put and delete of a request (or of a
// whole Txn, or a lease revocation) shares one main revision and takes the next sub
// revision. Records go to the backend's current batch; events wait for durability.
import type { Backend } from '../backend/backend.js';
import type { Event, KeyValue, LeaseID } from './key-value.js';
import { append, isLive } from './key-history.js';
import { encodeRecord } from './record-codec.js';
import { encodeRevision } from './revision.js';
import { keyBuffer, type TreeIndex } from './tree-index.js';

export interface LeaseAttachments {
  attach(id: LeaseID, key: string): void;
  detach(id: LeaseID, key: string): void;
}

export class WriteTxn {
  sub = 0;
  readonly events: Event[] = [];
  /** the "main_sub" names this txn added to the store's not-yet-durable records */
  readonly written: string[] = [];

  constructor(
    readonly main: number,
    private readonly index: TreeIndex,
    private readonly backend: Backend,
    /** records not yet durable, readable by "main_sub" until their batch commits */
    private readonly pending: Map<string, KeyValue>,
    private readonly readLatest: (key: string) => KeyValue | undefined,
    private readonly leases: LeaseAttachments | undefined,
  ) {}

  get changed(): boolean {
    return this.sub > 0;
  }

  put(key: string, value: Buffer, lease: LeaseID): KeyValue | undefined {
    const prev = this.readLatest(key);
    const kv: KeyValue = {
      key: keyBuffer(key),
      create_revision: prev ? prev.create_revision : this.main,
      mod_revision: this.main,
      version: prev ? prev.version + 1 : 1,
      value,
      lease,
    };
    this.write(key, kv, false);
    if (prev && prev.lease !== 0n && prev.lease !== lease) this.leases?.detach(prev.lease, key);
    if (lease !== 0n && (!prev || prev.lease !== lease)) this.leases?.attach(lease, key);
    this.events.push({ type: 'PUT', kv, prev_kv: prev });
    return prev;
  }

  /** deletes a live key; returns its last value, or undefined when it was not live */
  delete(key: string): KeyValue | undefined {
    const h = this.index.get(key);
    if (!h || !isLive(h)) return undefined;
    const prev = this.readLatest(key);
    if (!prev) return undefined;
    const tomb: KeyValue = {
      key: keyBuffer(key),
      create_revision: 0,
      mod_revision: this.main,
      version: 0,
      value: Buffer.alloc(0),
      lease: 0n,
    };
    this.write(key, tomb, true);
    if (prev.lease !== 0n) this.leases?.detach(prev.lease, key);
    this.events.push({ type: 'DELETE', kv: tomb, prev_kv: prev });
    return prev;
  }

  private write(key: string, kv: KeyValue, tombstone: boolean): void {
    const sub = this.sub++;
    append(this.index.getOrCreate(key), this.main, sub, tombstone);
    const name = `${this.main}_${sub}`;
    this.pending.set(name, kv);
    this.written.push(name);
    this.backend.put('rev', encodeRevision(this.main, sub, tombstone), encodeRecord(kv));
  }
}

