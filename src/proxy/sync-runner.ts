// Coalesces change notifications into syncs that run at most once per minimum period
// (upstream's BoundedFrequencyRunner, without the max-interval part: the caller adds that).
export class SyncRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private lastRun = 0;
  private stopped = false;

  constructor(private readonly fn: () => Promise<void>, private readonly minPeriodMs: number, private readonly onError: (e: unknown) => void) {}

  /** Asks for a sync; several requests before it runs become one. */
  request(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running || this.timer) return;
    const wait = Math.max(0, this.lastRun + this.minPeriodMs - Date.now());
    this.timer = setTimeout(() => { this.timer = undefined; void this.runNow(); }, wait);
  }

  private async runNow(): Promise<void> {
    if (this.stopped || !this.pending) return;
    this.pending = false;
    this.lastRun = Date.now();
    this.running = this.fn().catch(this.onError);
    await this.running;
    this.running = undefined;
    if (this.pending) this.request();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
