// The node's pressure conditions from real measurements against the hard eviction
// thresholds (--eviction-hard / evictionHard), as upstream's eviction manager observes them:
// memory.available (MemAvailable), nodefs.available/inodesFree (statfs of the root dir),
// imagefs.* (statfs of the runtime's image filesystem), pid.available. A threshold is a
// quantity ("100Mi") or a percentage of capacity ("10%"). Signals that cross set
// MemoryPressure, DiskPressure or PIDPressure; a condition stays on for the transition
// period after its signals clear. (Pods are not evicted: only image GC reclaims space.)
import fs from 'node:fs';
import { parseQuantity } from '../../api/quantity/index.js';
import type { FsStats } from '../images/image-gc.js';

export interface Observation { available: number; capacity: number }
export type Observations = Partial<Record<string, Observation>>;

export function memoryObservation(): Observation | undefined {
  try {
    const text = fs.readFileSync('/proc/meminfo', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const total = kb('MemTotal');
    const avail = kb('MemAvailable');
    return Number.isFinite(total) && Number.isFinite(avail) ? { available: avail, capacity: total } : undefined;
  } catch {
    return undefined;
  }
}

export function pidObservation(): Observation | undefined {
  try {
    const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
    const used = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
    return { available: max - used, capacity: max };
  } catch {
    return undefined;
  }
}

export function observe(nodefs: FsStats | undefined, imagefs: FsStats | undefined): Observations {
  const out: Observations = {};
  const mem = memoryObservation();
  if (mem) out['memory.available'] = mem;
  const pid = pidObservation();
  if (pid) out['pid.available'] = pid;
  for (const [name, st] of [['nodefs', nodefs], ['imagefs', imagefs ?? nodefs]] as const) {
    if (!st) continue;
    out[`${name}.available`] = { available: st.available, capacity: st.capacity };
    out[`${name}.inodesFree`] = { available: st.inodesFree, capacity: st.inodes };
  }
  return out;
}

/** The threshold in the signal's unit: a percentage of capacity or a quantity. */
export function thresholdValue(threshold: string, capacity: number): number {
  if (threshold.endsWith('%')) return (Number(threshold.slice(0, -1)) / 100) * capacity;
  return parseQuantity(threshold).value();
}

/** Signals below their threshold. */
export function crossed(thresholds: Record<string, string>, obs: Observations): string[] {
  return Object.entries(thresholds).filter(([signal, t]) => {
    const o = obs[signal];
    return o !== undefined && o.available < thresholdValue(t, o.capacity);
  }).map(([signal]) => signal);
}

export interface Pressure { memoryPressure: boolean; diskPressure: boolean; pidPressure: boolean }

export function pressureOf(signals: string[]): Pressure {
  return {
    memoryPressure: signals.some((s) => s.startsWith('memory.')),
    diskPressure: signals.some((s) => s.startsWith('nodefs.') || s.startsWith('imagefs.')),
    pidPressure: signals.some((s) => s.startsWith('pid.')),
  };
}
