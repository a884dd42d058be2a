// What every kernel-programming proxy mode offers the sync loop in server.ts.
import type { ServicePort } from './service-port.js';

export interface SyncResult {
  /** Every chain rewritten (first sync, after a failure, periodically). */
  full: boolean;
  /** Chains (re)written by this sync. */
  written: number;
  /** Chains flushed or deleted because no Service needs them any more. */
  deleted: number;
  /** Time spent computing the change, and applying it with the kernel tool. */
  renderMs: number;
  applyMs: number;
  /** Ask for another sync after this long (e.g. to delete chains left stale). */
  resyncAfterMs?: number;
}

export interface Proxier {
  readonly name: string;
  sync(ports: ServicePort[]): Promise<SyncResult>;
  /** The next sync rewrites everything. */
  forceFullSync(): void;
}
