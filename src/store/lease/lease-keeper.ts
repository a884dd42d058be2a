// The lessor of `tskube etcd`: leases with a TTL, the keys attached to them, renewal by
// keep-alive, and expiry that deletes every attached key in one revision (so watchers see
// one revision's worth of DELETE events). Grants are durable; on restart each lease gets
// its full TTL again, as etcd does when a leader takes over.
import { randomBytes } from 'node:crypto';
import { Errors } from '../errors.js';
import type { LeaseInfo, Lessor, WriteResult } from '../kv-store.js';
import type { LeaseID } from '../mvcc/key-value.js';
import type { MvccStore } from '../mvcc/mvcc-store.js';
import { keyBuffer } from '../mvcc/tree-index.js';

/** etcd's floor: ceil(1.5 × election timeout / … ) = 2 s with default timings */
export const MIN_LEASE_TTL = 2;
/** etcd's MaxLeaseTTL */
export const MAX_LEASE_TTL = 9_000_000_000;

interface Lease {
  ttl: number;
  expiry: number;
  keys: Set<string>;
  revoking: boolean;
}

export class LeaseKeeper implements Lessor {
  private readonly table = new Map<LeaseID, Lease>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: MvccStore,
    private readonly opts: { checkIntervalMs?: number; log?: (line: string) => void } = {},
  ) {}

  start(): void {
    const now = Date.now();
    for (const { key, value } of this.store.backend.scan('lease')) {
      const id = key.readBigInt64BE(0);
      const ttl = Number(value.readBigInt64BE(0));
      this.table.set(id, { ttl, expiry: now + ttl * 1000, keys: new Set(), revoking: false });
    }
    for (const [id, keys] of this.store.recoveredLeaseKeys) {
      const l = this.table.get(id);
      if (l) for (const k of keys) l.keys.add(k);
    }
    this.store.setLeaseHooks({
      exists: (id) => {
        const l = this.table.get(id);
        return !!l && !l.revoking;
      },
      attach: (id, key) => this.table.get(id)?.keys.add(key),
      detach: (id, key) => this.table.get(id)?.keys.delete(key),
    });
    this.timer = setInterval(() => this.expire(), this.opts.checkIntervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async grant(id: LeaseID, ttlSeconds: number): Promise<{ id: LeaseID; ttl: number }> {
    if (ttlSeconds > MAX_LEASE_TTL) throw Errors.leaseTTLTooLarge();
    if (id === 0n) id = this.newId();
    if (this.table.has(id)) throw Errors.leaseExist();
    const ttl = Math.max(ttlSeconds, MIN_LEASE_TTL);
    const lease: Lease = { ttl, expiry: Date.now() + ttl * 1000, keys: new Set(), revoking: false };
    this.table.set(id, lease);
    const v = Buffer.alloc(8);
    v.writeBigInt64BE(BigInt(ttl));
    this.store.backend.put('lease', idKey(id), v);
    try {
      await this.store.flush();
    } catch (e) {
      this.table.delete(id);
      throw e;
    }
    lease.expiry = Date.now() + ttl * 1000;
    return { id, ttl };
  }

  async revoke(id: LeaseID): Promise<WriteResult> {
    const l = this.table.get(id);
    if (!l || l.revoking) throw Errors.leaseNotFound();
    l.revoking = true;
    const keys = [...l.keys];
    try {
      const r = await this.store.deleteKeys(keys, (b) => b.delete('lease', idKey(id)));
      this.table.delete(id);
      return r;
    } catch (e) {
      l.revoking = false;
      throw e;
    }
  }

  keepAlive(id: LeaseID): number {
    const l = this.table.get(id);
    if (!l || l.revoking) throw Errors.leaseNotFound();
    l.expiry = Date.now() + l.ttl * 1000;
    return l.ttl;
  }

  timeToLive(id: LeaseID): LeaseInfo | undefined {
    const l = this.table.get(id);
    if (!l || l.revoking) return undefined;
    const left = Math.max(0, Math.floor((l.expiry - Date.now()) / 1000));
    return { id, grantedTTL: l.ttl, ttl: left, keys: [...l.keys].sort().map(keyBuffer) };
  }

  leases(): LeaseID[] {
    return [...this.table.entries()].filter(([, l]) => !l.revoking).map(([id]) => id);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, l] of this.table) {
      if (l.revoking || l.expiry > now) continue;
      this.revoke(id).then(
        (r) => this.opts.log?.(`etcd: lease ${id.toString(16)} expired, ${l.keys.size} keys deleted at revision ${r.revision}`),
        (e) => this.opts.log?.(`etcd: lease ${id.toString(16)} expiry failed: ${(e as Error).message}`),
      );
    }
  }

  private newId(): LeaseID {
    for (;;) {
      const id = randomBytes(8).readBigInt64BE(0) & 0x7fffffffffffffffn;
      if (id !== 0n && !this.table.has(id)) return id;
    }
  }
}

function idKey(id: LeaseID): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(id);
  return b;
}
