// Where audit events go. A backend takes batches of events; the blocking mode hands each
// event over at once, the batch mode (BufferedBackend) queues them and hands them over
// asynchronously in batches of up to maxBatchSize, at least every maxBatchWait — dropping
// events when bufferSize are already waiting, as upstream's buffered backend does.

export interface AuditBackend {
  process(events: unknown[]): void | Promise<void>;
  /** Hands over whatever is still queued and stops. */
  shutdown(): Promise<void>;
}

export interface BatchOptions { bufferSize: number; maxBatchSize: number; maxBatchWaitMs: number }

export class BufferedBackend implements AuditBackend {
  private queue: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(private readonly delegate: AuditBackend, private readonly o: BatchOptions, private readonly log: (msg: string) => void = () => {}) {}

  process(events: unknown[]): void {
    for (const e of events) {
      if (this.queue.length >= this.o.bufferSize) {
        if (this.dropped++ % 100 === 0) this.log('audit buffer queue blocked: events dropped');
        continue;
      }
      this.queue.push(e);
    }
    if (this.queue.length >= this.o.maxBatchSize) this.flushSoon(0);
    else this.flushSoon(this.o.maxBatchWaitMs);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, ms);
    this.timer.unref?.();
  }

  private flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.o.maxBatchSize);
      // One batch at a time, in order; a failing delegate only loses its batch.
      this.sending = this.sending.then(() => this.delegate.process(batch)).catch((err) => this.log(`audit backend: ${(err as Error).message}`));
    }
    return this.sending;
  }

  async shutdown(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    await this.flush();
    await this.delegate.shutdown();
  }
}

export const AUDIT_MODES = ['batch', 'blocking', 'blocking-strict'];

export function checkMode(flag: string, mode: string): void {
  if (!AUDIT_MODES.includes(mode)) throw new Error(`invalid audit ${flag} mode ${mode}, allowed modes are "${AUDIT_MODES.join('", "')}"`);
}
