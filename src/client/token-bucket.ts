// A token bucket (golang.org/x/time/rate's reservation model): `burst` tokens to start,
// refilled at `qps` per second. Callers reserve a token and learn how long to wait for it,
// so waiting callers are served in order without polling. qps <= 0 means unlimited.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, readonly burst: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = Math.max(1, burst);
    this.last = now();
  }

  /** Takes one token (possibly into debt) and returns the milliseconds until it is ours. */
  reserve(): number {
    if (this.qps <= 0) return 0;
    const t = this.now();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Resolves when a token is available (client-go's RateLimiter.Wait). */
  async wait(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, delay);
      const onAbort = () => { clearTimeout(timer); reject(signal!.reason ?? new Error('aborted')); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
