// Upstream's eviction manager, every 10 s (its monitoring interval): observe the eviction
// signals, keep the node's pressure conditions (on while a hard or soft threshold is crossed
// and for the transition period after), and when a hard threshold is crossed — or a soft one
// stayed crossed for its grace period — reclaim: first node-level resources (unused images,
// for disk), then one pod per round, ranked as upstream ranks them (eviction-ranking.ts). The
// evicted pod is stopped (1 s grace for a hard threshold; for a soft one its own, capped by
// --eviction-max-pod-grace-period) and left Failed with reason Evicted. A threshold acted on
// stays met until its signal recovers past the threshold plus its minimum reclaim
// (--eviction-minimum-reclaim), and node-level reclaim must reach that much to spare the pods.
// Before the thresholds, every round checks the pods' local storage limits
// (local-storage-eviction.ts). Under pressure the manager also refuses new pods as upstream's
// admission does.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../api/quantity/index.js';
import type { Logger } from '../../client/index.js';
import type { FsStats, ImageGC } from '../images/image-gc.js';
import { fsStats } from '../images/image-gc.js';
import { evictionMessage, isCriticalPod, type PodUse, rankForEviction, resourceOf } from './eviction-ranking.js';
import { localStorageViolation } from './local-storage-eviction.js';
import { crossed, observe, type Observations, type Pressure, pressureOf, thresholdValue } from './eviction-signals.js';

export const EVICTION_MONITORING_MS = 10_000;
/** Upstream's immediateEvictionGracePeriodSeconds, for hard thresholds. */
const HARD_EVICTION_GRACE_SECONDS = 1;

export interface EvictionOptions {
  thresholds: Record<string, string>;
  soft?: Record<string, string>;
  softGracePeriodMs?: Record<string, number>;
  /** evictionMinimumReclaim: per signal, a quantity or a percentage of capacity. */
  minimumReclaim?: Record<string, string>;
  maxPodGracePeriodSeconds?: number;
  rootDir: string;
  imageGC?: ImageGC;
  transitionPeriodMs: number;
  /** Observations from elsewhere than the host (a hollow node's simulated usage). */
  observe?(): Observations;
  /** The pods the kubelet runs, with what each container uses. */
  pods?(): Promise<PodUse[]>;
  /** Stops the pod and fails it with reason Evicted and this message (and DisruptionTarget when `condition`). */
  evict?(pod: Pod, message: string, gracePeriodSeconds: number, condition: boolean): void;
  log: Logger;
  event(reason: string, message: string): void;
  /** Called when a condition changes, so node status goes out at once. */
  onChange(): void;
}

const CONDITION_OF: Record<keyof Pressure, string> = { memoryPressure: 'MemoryPressure', diskPressure: 'DiskPressure', pidPressure: 'PIDPressure' };

export class EvictionManager {
  private timer?: NodeJS.Timeout;
  private lastSeen: Record<keyof Pressure, number> = { memoryPressure: 0, diskPressure: 0, pidPressure: 0 };
  private current: Pressure = { memoryPressure: false, diskPressure: false, pidPressure: false };
  private signals: string[] = [];
  private readonly softSince = new Map<string, number>();
  /** The thresholds acted on last round (upstream's thresholdsMet): met until past their minimum reclaim. */
  private actedOn: { signal: string; hard: boolean }[] = [];
  private running = false;

  constructor(private readonly o: EvictionOptions) {}

  async start(): Promise<void> {
    await this.synchronize();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      void this.synchronize().catch((err) => this.o.log(`kubelet: eviction manager: ${(err as Error).message}`)).finally(() => { this.running = false; });
    }, EVICTION_MONITORING_MS);
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

  /**
   * Upstream's admission under pressure: nothing is refused without pressure, critical pods
   * never; with memory pressure alone, only BestEffort pods that do not tolerate the
   * memory-pressure taint; with any other pressure, every pod not tolerating disk-pressure.
   */
  admit(pod: Pod, bestEffort: boolean): { reason: string; message: string } | undefined {
    const conds = (Object.keys(this.current) as (keyof Pressure)[]).filter((k) => this.current[k]).map((k) => CONDITION_OF[k]);
    if (!conds.length || isCriticalPod(pod)) return undefined;
    const tolerates = (key: string) => (pod.spec?.tolerations ?? []).some((t) => (!t.effect || t.effect === 'NoSchedule')
      && ((t.key === key && (t.operator === 'Exists' || !t.value)) || (!t.key && t.operator === 'Exists')));
    if (conds.length === 1 && conds[0] === 'MemoryPressure' && (!bestEffort || tolerates('node.kubernetes.io/memory-pressure'))) return undefined;
    if (!(conds.length === 1 && conds[0] === 'MemoryPressure') && tolerates('node.kubernetes.io/disk-pressure')) return undefined;
    return { reason: 'Evicted', message: `The node had condition: [${conds.join(' ')}]. ` };
  }

  private async observeAll(): Promise<Observations> {
    if (this.o.observe) return this.o.observe();
    let imagefs: FsStats | undefined;
    try { imagefs = await this.o.imageGC?.imageFs(); } catch { /* runtime busy: measure the node fs only */ }
    return observe(fsStats(this.o.rootDir), imagefs);
  }

  /** `signal` still below its threshold plus its minimum reclaim. */
  private unresolved(signal: string, isHard: boolean, obs: Observations): boolean {
    const t = (isHard ? this.o.thresholds : this.o.soft ?? {})[signal];
    const o = obs[signal];
    if (t === undefined || !o) return false;
    const r = this.o.minimumReclaim?.[signal];
    return o.available < thresholdValue(t, o.capacity) + (r === undefined ? 0 : thresholdValue(r, o.capacity));
  }

  async synchronize(now = Date.now()): Promise<void> {
    let obs = await this.observeAll();
    const hard = crossed(this.o.thresholds, obs);
    const soft = crossed(this.o.soft ?? {}, obs);
    for (const a of this.actedOn) {
      const list = a.hard ? hard : soft;
      if (!list.includes(a.signal) && this.unresolved(a.signal, a.hard, obs)) list.push(a.signal);
    }
    for (const s of [...this.softSince.keys()]) if (!soft.includes(s)) this.softSince.delete(s);
    for (const s of soft) if (!this.softSince.has(s)) this.softSince.set(s, now);
    // conditions follow every crossed threshold; reclaiming waits for a soft one's grace period
    const signals = [...new Set([...hard, ...soft])];
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

    // upstream evicts for local storage limits first; a round that evicted does nothing more
    if (this.o.pods && this.o.evict && (await this.localStorageEviction())) return;

    const softMet = soft.filter((s) => now - this.softSince.get(s)! >= (this.o.softGracePeriodMs?.[s] ?? 0));
    // memory first, as upstream orders the thresholds to reclaim
    const met = [...hard.map((s) => ({ signal: s, hard: true })), ...softMet.filter((s) => !hard.includes(s)).map((s) => ({ signal: s, hard: false }))]
      .sort((a, b) => Number(b.signal.startsWith('memory.')) - Number(a.signal.startsWith('memory.')));
    this.actedOn = met;
    if (!met.length) return;
    const { signal, hard: isHard } = met[0];
    const resource = resourceOf(signal);
    this.o.event('EvictionThresholdMet', `Attempting to reclaim ${resource}`);
    if (resource === 'ephemeral-storage' && this.o.imageGC) {
      await this.o.imageGC.freeSpace(Infinity);
      obs = await this.observeAll();
      // enough only when the signal is past its threshold plus the minimum reclaim
      if (!this.unresolved(signal, isHard, obs)) return;
    }
    if (!this.o.pods || !this.o.evict) return;
    const ranked = rankForEviction(await this.o.pods(), resource);
    const victim = ranked[0];
    if (!victim) { this.o.log(`kubelet: eviction manager: no pod to evict for ${signal}`); return; }
    const o = obs[signal];
    const t = (isHard ? this.o.thresholds : this.o.soft!)[signal];
    const quantity = o ? (t.endsWith('%') ? Quantity.fromValue(Math.round(thresholdValue(t, o.capacity)), resource === 'pids' ? 'DecimalSI' : 'BinarySI').toString() : t) : undefined;
    const message = evictionMessage(victim, resource, o && quantity ? { quantity, available: o.available } : undefined);
    const own = victim.pod.spec?.terminationGracePeriodSeconds ?? 30;
    const max = this.o.maxPodGracePeriodSeconds ?? 0;
    const grace = isHard ? HARD_EVICTION_GRACE_SECONDS : max < 0 ? own : Math.min(own, max);
    this.o.log(`kubelet: evicting pod ${victim.pod.metadata?.namespace}/${victim.pod.metadata?.name} for ${signal}: ${message}`);
    this.o.evict(victim.pod, message, grace, true);
  }

  /** Evicts every pod over one of its local storage limits; true when any was. */
  private async localStorageEviction(): Promise<boolean> {
    let any = false;
    for (const u of await this.o.pods!()) {
      const message = localStorageViolation(u);
      if (!message) continue;
      this.o.log(`kubelet: evicting pod ${u.pod.metadata?.namespace}/${u.pod.metadata?.name}: ${message}`);
      this.o.evict!(u.pod, message, HARD_EVICTION_GRACE_SECONDS, false);
      any = true;
    }
    return any;
  }
}
