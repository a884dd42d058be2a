// The hook between the v3 services and auth (src/store/auth/auth-store.ts): when auth is
// enabled, a request's keys are checked against the caller's roles, and admin-only calls
// need the root role.
import type { Metadata } from '@grpc/grpc-js';
import type { AuthStore } from '../auth/auth-store.js';
import { Errors } from '../errors.js';
import type { Wire } from './wire.js';

export type Access = 'read' | 'write';
export type KeyCheck = [key: Buffer, rangeEnd: Buffer | undefined, access: Access];

export class AuthGate {
  constructor(readonly authStore: AuthStore) {}

  get enabled(): boolean {
    return this.authStore.enabled;
  }

  /** checks each key range; throws permission denied on the first refusal */
  check(md: Metadata, ranges: KeyCheck[]): void {
    if (!this.enabled) return;
    const user = this.authStore.userFromMetadata(md);
    if (user === undefined) throw Errors.userEmpty();
    if (this.authStore.isAdmin(user)) return;
    for (const [key, end, access] of ranges) this.authStore.checkRange(user, key, end && end.length ? end : undefined, access);
  }

  /** Snapshot, Defragment, Hash, HashKV and MoveLeader need the root role; etcd 3.4 sends
   * these refusals unmapped ("auth: ..."). Compact, Status and alarms need no role there. */
  maintenanceAdmin(md: Metadata): void {
    if (!this.enabled) return;
    this.authStore.checkMaintenanceAdmin(this.authStore.userFromMetadata(md));
  }

  /** with auth on, calls without keys still need a valid token */
  authenticated(md: Metadata): void {
    if (this.enabled && this.authStore.userFromMetadata(md) === undefined) throw Errors.userEmpty();
  }
}

/** every key range a txn touches: compares and ranges read, puts and deletes write */
export function txnRanges(t: Wire): KeyCheck[] {
  const out: KeyCheck[] = [];
  for (const c of t.compare ?? []) out.push([c.key, c.range_end, 'read']);
  for (const op of [...(t.success ?? []), ...(t.failure ?? [])]) {
    if (op.request_range) out.push([op.request_range.key, op.request_range.range_end, 'read']);
    else if (op.request_put) {
      out.push([op.request_put.key, undefined, 'write']);
      if (op.request_put.prev_kv) out.push([op.request_put.key, undefined, 'read']);
    } else if (op.request_delete_range) {
      const d = op.request_delete_range;
      out.push([d.key, d.range_end, 'write']);
      if (d.prev_kv) out.push([d.key, d.range_end, 'read']);
    }
    else if (op.request_txn) out.push(...txnRanges(op.request_txn));
  }
  return out;
}
