// How many replicas a resource metric asks for (upstream's ReplicaCalculator): the ratio
// of current to target usage times the ready pods, inside the tolerance nothing changes;
// pods without metrics count as idle when scaling up and as on-target when scaling down,
// and not-yet-ready pods (for CPU) count as idle when scaling up, so a fresh pod's spike
// or silence never drives a change by itself.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../api/quantity/index.js';
import type { PodMetric } from './metrics-client.js';

export interface Calculation { replicas: number; utilization?: number; averageMilli: number }

export interface CalcOptions {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  now: number;
}

type PodGroups = { ready: Map<string, number>; ignored: Set<string>; missing: Set<string> };

function startTime(p: Pod): number { return Date.parse(p.status?.startTime ?? '') || 0; }

/** Splits the target's pods like upstream's groupPods. */
function groupPods(pods: Pod[], metrics: Map<string, PodMetric>, resource: string, o: CalcOptions): PodGroups {
  const g: PodGroups = { ready: new Map(), ignored: new Set(), missing: new Set() };
  for (const p of pods) {
    const name = p.metadata!.name!;
    if (p.metadata?.deletionTimestamp || p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') continue;
    if (p.status?.phase === 'Pending') { g.ignored.add(name); continue; }
    const m = metrics.get(name);
    if (!m) { g.missing.add(name); continue; }
    if (resource === 'cpu') {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      const start = startTime(p);
      let unready: boolean;
      if (!ready) unready = true;
      else if (start + o.cpuInitializationPeriodMs > o.now) {
        // inside the initialization period: a sample taken before the pod became ready is not trusted
        unready = ready.status === 'False' || m.timestamp < Date.parse(ready.lastTransitionTime ?? '') + m.windowMs;
      } else {
        // after it: only pods that never became ready since start are skipped
        unready = ready.status === 'False' && start + o.initialReadinessDelayMs > Date.parse(ready.lastTransitionTime ?? '');
      }
      if (unready) { g.ignored.add(name); continue; }
    }
    g.ready.set(name, m.milli);
  }
  return g;
}

/** Sum of the pods' container requests for the resource, in milli-units; throws naming a container without one. */
export function podRequests(pods: Pod[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pods) {
    let sum = 0;
    for (const c of p.spec?.containers ?? []) {
      const r = c.resources?.requests?.[resource];
      if (r === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${p.metadata!.name}`);
      sum += Quantity.parse(r).milliValue();
    }
    out.set(p.metadata!.name!, sum);
  }
  return out;
}

const ceil = (x: number) => Math.ceil(x - 1e-9);

/**
 * `targetUtilization` (percent of request) or `targetAverageMilli` (milli-units per pod);
 * `current` is the target's current replica count.
 */
export function calculateReplicas(current: number, pods: Pod[], metrics: Map<string, PodMetric>, resource: string,
  target: { utilization?: number; averageMilli?: number }, o: CalcOptions): Calculation {
  if (!metrics.size) throw new Error(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  const g = groupPods(pods, metrics, resource, o);
  const readyCount = g.ready.size;
  if (!readyCount && !g.missing.size && !g.ignored.size) throw new Error('no pods with metrics');
  const requests = target.utilization !== undefined ? podRequests(pods.filter((p) => g.ready.has(p.metadata!.name!) || g.missing.has(p.metadata!.name!) || g.ignored.has(p.metadata!.name!)), resource) : new Map<string, number>();
  const ratioOf = (usage: Map<string, number>) => {
    let sum = 0; let req = 0;
    for (const [n, v] of usage) { sum += v; req += requests.get(n) ?? 0; }
    if (target.utilization !== undefined) {
      if (req === 0) throw new Error(`no requests for ${resource} on the pods with metrics`);
      const util = (sum * 100) / req;
      return { ratio: util / target.utilization, utilization: Math.floor(util), average: usage.size ? sum / usage.size : 0 };
    }
    const average = usage.size ? sum / usage.size : 0;
    return { ratio: average / target.averageMilli!, utilization: undefined, average };
  };
  const first = ratioOf(g.ready);
  const result = (replicas: number): Calculation => ({ replicas, utilization: first.utilization, averageMilli: first.average });
  if (!g.missing.size && !g.ignored.size) {
    if (Math.abs(1 - first.ratio) <= o.tolerance) return result(current);
    return result(ceil(first.ratio * readyCount));
  }
  const up = first.ratio > 1;
  if (!readyCount && !up) return result(current);
  // Rebalance: missing pods as idle (up) or on target (down); not-ready CPU pods as idle when scaling up.
  const adjusted = new Map(g.ready);
  for (const n of g.missing) {
    if (up) adjusted.set(n, 0);
    else adjusted.set(n, target.utilization !== undefined ? ((requests.get(n) ?? 0) * target.utilization) / 100 : target.averageMilli!);
  }
  if (up) for (const n of g.ignored) adjusted.set(n, 0);
  const second = ratioOf(adjusted);
  if (Math.abs(1 - second.ratio) <= o.tolerance || (up && second.ratio < 1) || (!up && second.ratio > 1)) return result(current);
  const n = ceil(second.ratio * adjusted.size);
  if ((up && n < current) || (!up && n > current)) return result(current);
  return result(n);
}
