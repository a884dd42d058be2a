// Lease-based leader election (client-go's leaderelection with a LeaseLock): candidates
// race to hold coordination.k8s.io/v1 Lease NAMESPACE/NAME. The holder renews every
// retryPeriod and gives up if it cannot renew within renewDeadline; the others take the
// lease once it has gone unrenewed for leaseDuration, judged by their own clock from when
// they last saw it change (so clock skew between machines does not matter). Writes use
// the lease's resourceVersion, so two candidates can never both win the same round.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { isNotFound } from './api-status-error.js';
import { type Logger, sleep, stderrLogger } from './backoff.js';
import { formatMicroTime } from './micro-time.js';
import { LEASES } from './resources.js';
import type { RestClient } from './rest-client.js';

export interface LeaderCallbacks {
  /** We lead; `signal` aborts when we stop leading. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading(): void;
  /** The observed leader changed (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Clear the lease when run() is cancelled, so a successor need not wait it out. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  log?: Logger;
}

interface Record_ { holderIdentity: string; leaseDurationSeconds: number; acquireTime?: string; renewTime?: string; leaseTransitions: number }

const JITTER = 1.2;

export class LeaderElector {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private observed?: Lease;
  private observedRecord?: Record_;
  private observedAt = 0;
  private reportedLeader = '';
  private leading = false;
  private readonly log: Logger;

  constructor(readonly config: LeaderElectionConfig) {
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    if (!config.identity) throw new Error('leader election requires an identity');
    this.log = config.log ?? stderrLogger;
  }

  isLeader(): boolean { return this.leading; }
  /** The last holder we saw ('' if none). */
  getLeader(): string { return this.observedRecord?.holderIdentity ?? ''; }

  /**
   * Campaigns until we lead, leads until we lose the lease or `signal` aborts, then
   * returns (like client-go's Run; callers usually exit or campaign again).
   */
  async run(signal: AbortSignal): Promise<void> {
    const desc = `${this.config.namespace}/${this.config.name}`;
    this.log(`leaderelection: ${this.config.identity} attempting to acquire leader lease ${desc}...`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) break;
      await sleep(this.retryPeriodMs * (1 + Math.random() * (JITTER - 1)), signal);
    }
    if (signal.aborted) return;
    this.log(`leaderelection: ${this.config.identity} successfully acquired lease ${desc}`);
    this.leading = true;
    const leadership = new AbortController();
    const onCancel = () => leadership.abort();
    signal.addEventListener('abort', onCancel, { once: true });
    try {
      this.config.callbacks.onStartedLeading(leadership.signal);
      await this.renewLoop(signal);
    } finally {
      signal.removeEventListener('abort', onCancel);
      this.leading = false;
      leadership.abort();
      if (signal.aborted && this.config.releaseOnCancel) await this.release();
      else if (!signal.aborted) this.log(`leaderelection: ${this.config.identity} failed to renew lease ${desc}: lost leadership`);
      this.config.callbacks.onStoppedLeading();
    }
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && Date.now() < deadline) {
        if ((renewed = await this.tryAcquireOrRenew(signal, deadline - Date.now()))) break;
        await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - Date.now())), signal);
      }
      if (!renewed && !signal.aborted) return;
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal, timeoutMs = this.renewDeadlineMs): Promise<boolean> {
    const now = new Date();
    const leases = this.config.client.resource(LEASES);
    const { namespace, name, identity } = this.config;
    const desired: Record_ = {
      holderIdentity: identity, leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000) || 1,
      acquireTime: formatMicroTime(now), renewTime: formatMicroTime(now), leaseTransitions: 0,
    };
    try {
      let current: Lease;
      try {
        current = await this.withTimeout(leases.get(namespace, name), timeoutMs, signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.withTimeout(leases.create(namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: desired }), timeoutMs, signal);
        this.observe(created, Date.now());
        return true;
      }
      const rec = recordOf(current);
      if (!this.observedRecord || JSON.stringify(rec) !== JSON.stringify(this.observedRecord)) this.observe(current, Date.now());
      else this.observed = current;
      const heldByOther = rec.holderIdentity !== '' && rec.holderIdentity !== identity;
      if (heldByOther && this.observedAt + rec.leaseDurationSeconds * 1000 > Date.now()) return false;
      if (rec.holderIdentity === identity) {
        desired.acquireTime = rec.acquireTime;
        desired.leaseTransitions = rec.leaseTransitions;
      } else {
        desired.leaseTransitions = rec.leaseTransitions + 1;
      }
      const updated = await this.withTimeout(leases.update(namespace, { ...current, spec: { ...current.spec, ...desired } }), timeoutMs, signal);
      this.observe(updated, Date.now());
      return true;
    } catch (err) {
      if (!signal.aborted) this.log(`leaderelection: ${identity}: error retrieving or updating lease ${namespace}/${name}: ${(err as Error).message}`);
      return false;
    }
  }

  private observe(lease: Lease, at: number): void {
    this.observed = lease;
    this.observedRecord = recordOf(lease);
    this.observedAt = at;
    const holder = this.observedRecord.holderIdentity;
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try { this.config.callbacks.onNewLeader?.(holder); } catch (err) { this.log(`leaderelection: onNewLeader failed: ${(err as Error).message}`); }
    }
  }

  /** ReleaseOnCancel: empty holder, 1 s duration, so the next candidate acquires at once. */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || this.observedRecord?.holderIdentity !== this.config.identity) return;
    const now = formatMicroTime();
    try {
      const updated = await this.config.client.resource(LEASES).update(this.config.namespace, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observedRecord.leaseTransitions },
      });
      this.observe(updated, Date.now());
      this.log(`leaderelection: ${this.config.identity} released lease ${this.config.namespace}/${this.config.name}`);
    } catch (err) {
      this.log(`leaderelection: ${this.config.identity} failed to release lease: ${(err as Error).message}`);
    }
  }

  private withTimeout<R>(p: Promise<R>, ms: number, signal: AbortSignal): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), Math.max(1, ms));
      const onAbort = () => reject(new Error('cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => { clearTimeout(timer); signal.removeEventListener('abort', onAbort); });
    });
  }
}

function recordOf(lease: Lease): Record_ {
  const s = lease.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: s.acquireTime,
    renewTime: s.renewTime,
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}
