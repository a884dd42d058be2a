// etcd's auto-compaction (3.4's compactor package). Periodic mode keeps `retention` worth
// of history: it samples the revision every retention/10 (6 minutes when retention exceeds
// an hour), keeping one window of samples; once a full retention has passed it compacts to
// the revision seen a window ago, then again every retention (at most every hour).
// Revision mode keeps the last `retention` revisions, checking every 5 minutes.
import type { KVStore } from '../kv-store.js';
import type { Logger } from './log.js';

const HOUR = 3600_000;

/** shortens revision mode's 5-minute check for tests (etcd has no flag for it) */
export const REVISION_CHECK_ENV = 'TSKUBE_ETCD_REVISION_COMPACTION_CHECK_MS';

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
  private lastSuccess = 0;
  /** periodic: wait a whole retention before the first compaction, then the compact interval */
  private wait = 0;
  private lastTarget = 0;
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
    this.lastSuccess = Date.now();
    this.wait = this.opts.retention;
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private interval(): number {
    if (this.opts.mode === 'revision') return this.opts.revisionCheckMs ?? (Number(process.env[REVISION_CHECK_ENV]) || 5 * 60_000);
    return Math.max(1, Math.floor(Math.min(this.opts.retention, HOUR) / 10));
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let target: number;
      if (this.opts.mode === 'revision') {
        target = this.store.currentRevision - this.opts.retention;
      } else {
        // samples[0] is the revision one retention ago
        const keep = Math.floor(this.opts.retention / this.interval()) + 1;
        this.samples.push(this.store.currentRevision);
        if (this.samples.length > keep) this.samples = this.samples.slice(-keep);
        if (Date.now() - this.lastSuccess < this.wait) return;
        this.wait = Math.min(this.opts.retention, HOUR);
        target = this.samples[0];
      }
      if (target <= 0 || target === this.lastTarget || target <= this.store.compactRevision) return;
      this.log.info(`starting auto-compaction at revision ${target}`);
      await this.store.compact(target);
      this.lastTarget = target;
      this.lastSuccess = Date.now();
      this.log.info(`finished auto-compaction at revision ${target}`);
    } catch (err) {
      this.log.warn(`auto-compaction failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
  }
}
