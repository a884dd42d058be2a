// Leases for objects with a TTL (events), shared the way upstream's etcd3 lease manager
// shares them: one lease serves every write in a window of 5% of the TTL (at most 1000
// objects, at most 60 s, at least 1 s), granted for TTL plus that window, so each object
// lives between TTL and TTL+window and a burst of events costs one LeaseGrant, not one each.
import type { EtcdClient } from './etcd-client.js';

/** Upstream's leaseReuseDurationPercent and leaseMaxAttachedObjectCount. */
const REUSE_PERCENT = 0.05;
const MAX_ATTACHED = 1000;
const MAX_REUSE_SECONDS = 60;

interface Current { id: string; ttl: number; expiresAt: number; attached: number }

export class LeaseManager {
  private readonly current = new Map<number, Current>();
  private readonly pending = new Map<number, Promise<Current>>();

  constructor(private readonly etcd: EtcdClient, private readonly now: () => number = Date.now) {}

  /** A lease that keeps an object written now for at least ttlSeconds. */
  async lease(ttlSeconds: number): Promise<string> {
    const t = this.now();
    const cur = this.current.get(ttlSeconds);
    if (cur && cur.attached < MAX_ATTACHED && cur.expiresAt - t >= ttlSeconds * 1000) {
      cur.attached++;
      return cur.id;
    }
    // Concurrent writers wait for one grant rather than each making its own.
    let grant = this.pending.get(ttlSeconds);
    if (!grant) {
      const reuse = Math.min(MAX_REUSE_SECONDS, Math.max(1, Math.floor(ttlSeconds * REUSE_PERCENT)));
      grant = this.etcd.leaseGrant(ttlSeconds + reuse).then((id) => {
        const next = { id, ttl: ttlSeconds, expiresAt: t + (ttlSeconds + reuse) * 1000, attached: 0 };
        this.current.set(ttlSeconds, next);
        return next;
      }).finally(() => this.pending.delete(ttlSeconds));
      this.pending.set(ttlSeconds, grant);
    }
    const next = await grant;
    next.attached++;
    return next.id;
  }
}
