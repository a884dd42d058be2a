// client-go's rate-limited work queue. Guarantees: an item queued several times before a
// worker takes it is processed once (dirty set); an item is never handed to two workers
// at once (processing set) — if it is added while being processed it is queued again when
// done(); addAfter and addRateLimited delay an item; shutDown lets workers drain the queue.
import type { Logger } from './backoff.js';
import { stderrLogger } from './backoff.js';
import { type RateLimiter, defaultControllerRateLimiter } from './rate-limiters.js';

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiting = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private getters: ((item: T | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(readonly rateLimiter: RateLimiter<T> = defaultControllerRateLimiter<T>(), readonly name = 'queue') {}

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Adds `item` after `ms`; an earlier pending add of the same item wins. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(item); return; }
    const at = Date.now() + ms;
    const prev = this.waiting.get(item);
    if (prev && prev.at <= at) return;
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => { this.waiting.delete(item); this.add(item); }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Adds `item` after the rate limiter's delay (one more failure for it). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The item succeeded: its backoff starts over. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Next item to process, or undefined once shut down and drained. Call done(item) after. */
  get(): Promise<T | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Processing of `item` finished; if it was added meanwhile it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) this.push(item);
    if (this.processing.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Items waiting to be handed out (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  isProcessing(item: T): boolean {
    return this.processing.has(item);
  }

  shuttingDownNow(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting items; workers get what is queued, then undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    if (this.len() === 0) for (const g of this.getters.splice(0)) g(undefined);
  }

  /** shutDown, then wait until every item being processed is done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    while (this.processing.size > 0 || this.len() > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  private push(item: T): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
      return;
    }
    this.queue.push(item);
  }

  private take(): T {
    const item = this.queue[this.head++];
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    this.dirty.delete(item);
    this.processing.add(item);
    if (this.shuttingDown && this.len() === 0) for (const g of this.getters.splice(0)) g(undefined);
    return item;
  }
}

export interface WorkerOptions {
  /** Give up on an item after this many failed retries (client-go controllers often use 15); unlimited by default. */
  maxRetries?: number;
  log?: Logger;
}

/**
 * Runs `workers` loops that take keys and call `sync`; a throwing sync re-queues the key
 * rate-limited, a successful one forgets its backoff. Resolves when the queue has shut down
 * and every worker has finished.
 */
export async function runWorkers<T>(queue: WorkQueue<T>, workers: number, sync: (item: T) => Promise<void> | void, opts: WorkerOptions = {}): Promise<void> {
  const log = opts.log ?? stderrLogger;
  const worker = async () => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        await sync(item);
        queue.forget(item);
      } catch (err) {
        if (opts.maxRetries !== undefined && queue.numRequeues(item) >= opts.maxRetries) {
          log(`${queue.name}: dropping ${String(item)} after ${opts.maxRetries} retries: ${(err as Error).message}`);
          queue.forget(item);
        } else {
          log(`${queue.name}: error syncing ${String(item)}: ${(err as Error).message}; requeuing`);
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}
