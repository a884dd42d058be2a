// How long an item waits before it is retried (client-go's workqueue rate limiters):
// per-item exponential backoff, an overall token bucket, and the max of several.
import { TokenBucket } from './token-bucket.js';

export interface RateLimiter<T> {
  /** Delay in ms before `item` may be processed again; counts as one more failure. */
  when(item: T): number;
  /** Stop tracking `item` (it succeeded). */
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** base·2^failures, capped: 5 ms, 10 ms, 20 ms, … up to 1000 s by default. */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(readonly baseMs = 5, readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(item: T): void { this.failures.delete(item); }
  numRequeues(item: T): number { return this.failures.get(item) ?? 0; }
}

/** An overall rate for retries of all items together (10 qps, burst 100 by default). */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100) { this.bucket = new TokenBucket(qps, burst); }
  when(_item: T): number { return this.bucket.reserve(); }
  forget(_item: T): void {}
  numRequeues(_item: T): number { return 0; }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) { this.limiters = limiters; }
  when(item: T): number { return Math.max(0, ...this.limiters.map((l) => l.when(item))); }
  forget(item: T): void { for (const l of this.limiters) l.forget(item); }
  numRequeues(item: T): number { return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item))); }
}

/** workqueue.DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}
