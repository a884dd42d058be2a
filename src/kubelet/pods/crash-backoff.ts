// Restart back-off per container (client-go's flowcontrol.Backoff as the kubelet uses it):
// the first restart is immediate, then 10 s doubling to 5 min; an entry not touched for
// twice the maximum (a container that ran 10 min) starts over.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

export class CrashBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly initialMs = INITIAL_BACKOFF_MS, readonly maxMs = MAX_BACKOFF_MS) {}

  private expired(e: Entry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /** ms left to wait before restarting a container that finished at `finishedAt` (0: go now). */
  remaining(key: string, finishedAt: number, now = Date.now()): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return 0;
    return Math.max(0, finishedAt + e.backoffMs - now);
  }

  /** Records a restart after an exit at `finishedAt`; returns the back-off now in force. */
  next(key: string, finishedAt: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, finishedAt)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: finishedAt });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = finishedAt;
    return e.backoffMs;
  }

  /** Still waiting out the back-off set at the last next() (the image puller's test). */
  inBackOffSinceUpdate(key: string, now = Date.now()): boolean {
    const e = this.entries.get(key);
    return !!e && now - e.lastUpdate < e.backoffMs;
  }

  /** ms until inBackOffSinceUpdate turns false (0 when not in back-off). */
  remainingSinceUpdate(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lastUpdate + e.backoffMs - now) : 0;
  }

  current(key: string): number {
    return this.entries.get(key)?.backoffMs ?? this.initialMs;
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
