// etcd's auto-compaction. Periodic mode keeps `retention` worth of history: it samples the
// revision every retention/10 (every hour when retention exceeds an hour) and, once a full
// retention window has passed, compacts to the revision seen a window ago. Revision mode
// keeps the last `retention` revisions, checking every 5 minutes.
import type { KVStore } from '../kv-store.js';
import type { Logger } from './log.js';

export interface AutoCompactorOptions {
  mode: 'periodic' | 'revision';
  /** periodic: milliseconds; revision: revisions */
  retention: number;
  /** the check interval of revision mode; etcd uses 5 minutes */
  revisionCheckMs?: number;
}

export class AutoCompactor {
  private timer?: NodeJS.Timeout;
  private samples: number[] = [];
  private lastCompacted = 0;
  private running = false;

  constructor(
    private readonly store: KVStore,
    private readonly opts: AutoCompactorOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.opts.retention <= 0) return;
    const every = this.interval();
    this.log.info(
      this.opts.mode === 'periodic'
        ? `auto-compaction: periodic, keeping ${this.opts.retention} ms of history, sampling every ${every} ms`
        : `auto-compaction: revision, keeping ${this.opts.retention} revisions, checking every ${every} ms`,
    );
    this.samples = [this.store.currentRevision];
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private interval(): number {
    if (this.opts.mode === 'revision') return this.opts.revisionCheckMs ?? 5 * 60_000;
    const hour = 3600_000;
    return this.opts.retention > hour ? hour : Math.max(1, Math.floor(this.opts.retention / 10));
  }

  /** how many samples make one retention window */
  private windowSamples(): number {
    return Math.max(1, Math.round(this.opts.retention / this.interval()));
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let target: number;
      if (this.opts.mode === 'revision') {
        target = this.store.currentRevision - this.opts.retention;
      } else {
        this.samples.push(this.store.currentRevision);
        const keep = this.windowSamples() + 1;
        if (this.samples.length < keep) return;
        this.samples = this.samples.slice(-keep);
        target = this.samples[0];
      }
      if (target <= 0 || target <= this.lastCompacted || target <= this.store.compactRevision) return;
      this.log.info(`starting auto-compaction at revision ${target}`);
      await this.store.compact(target);
      this.lastCompacted = target;
      this.log.info(`finished auto-compaction at revision ${target}`);
    } catch (err) {
      this.log.warn(`auto-compaction failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
  }
}
