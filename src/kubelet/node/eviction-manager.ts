// Watches the eviction signals every 10 s (upstream's monitoring interval) and keeps the
// node's pressure conditions: on while a hard threshold is crossed and for the pressure
// transition period after. Disk pressure first reclaims node-level resources the way
// upstream does — unused images through image GC — and records EvictionThresholdMet on the
// Node. Evicting pods is not done (tskube reports pressure; it does not kill pods for it).
import type { Logger } from '../../client/index.js';
import type { FsStats, ImageGC } from '../images/image-gc.js';
import { fsStats } from '../images/image-gc.js';
import { crossed, observe, type Pressure, pressureOf } from './eviction-signals.js';

export const EVICTION_MONITORING_MS = 10_000;

export interface EvictionOptions {
  thresholds: Record<string, string>;
  rootDir: string;
  imageGC?: ImageGC;
  transitionPeriodMs: number;
  log: Logger;
  event(reason: string, message: string): void;
  /** Called when a condition changes, so node status goes out at once. */
  onChange(): void;
}

export class EvictionManager {
  private timer?: NodeJS.Timeout;
  private lastSeen: Record<keyof Pressure, number> = { memoryPressure: 0, diskPressure: 0, pidPressure: 0 };
  private current: Pressure = { memoryPressure: false, diskPressure: false, pidPressure: false };
  private signals: string[] = [];

  constructor(private readonly o: EvictionOptions) {}

  async start(): Promise<void> {
    await this.synchronize();
    this.timer = setInterval(() => void this.synchronize().catch((err) => this.o.log(`kubelet: eviction manager: ${(err as Error).message}`)), EVICTION_MONITORING_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  pressure(): Pressure {
    return this.current;
  }

  /** The signals crossed at the last observation (for logs and tests). */
  crossedSignals(): string[] {
    return this.signals;
  }

  async synchronize(now = Date.now()): Promise<void> {
    let imagefs: FsStats | undefined;
    try { imagefs = await this.o.imageGC?.imageFs(); } catch { /* runtime busy: measure the node fs only */ }
    const obs = observe(fsStats(this.o.rootDir), imagefs);
    const signals = crossed(this.o.thresholds, obs);
    const seen = pressureOf(signals);
    const next = { ...this.current };
    for (const k of Object.keys(seen) as (keyof Pressure)[]) {
      if (seen[k]) this.lastSeen[k] = now;
      next[k] = seen[k] || (this.lastSeen[k] > 0 && now - this.lastSeen[k] < this.o.transitionPeriodMs);
    }
    if (signals.join() !== this.signals.join() && signals.length) this.o.log(`kubelet: eviction thresholds crossed: ${signals.join(', ')}`);
    this.signals = signals;
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    if (changed) this.o.onChange();
    if (seen.diskPressure && this.o.imageGC) {
      this.o.event('EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage');
      await this.o.imageGC.freeSpace(Infinity);
    }
  }
}
