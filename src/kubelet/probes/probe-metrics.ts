// /metrics/probes, as upstream's prober registry: prober_probe_total, a counter per container
// and probe type by result (successful, failed), and prober_probe_duration_seconds, a
// histogram of how long successful-or-not probe runs took, plus process_start_time_seconds.
// One registry per process (its kubelets share one HTTP server).

export interface ProbeLabels { container: string; namespace: string; pod: string; podUID: string }

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const totals = new Map<string, number>();
/** By pod UID, then series: a gone pod's histograms are dropped with it. */
const durations = new Map<string, Map<string, { buckets: number[]; sum: number; count: number }>>();
const startSeconds = Date.now() / 1000 - process.uptime();

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function recordProbe(l: ProbeLabels, kind: string, ok: boolean, seconds: number): void {
  const base = `container="${esc(l.container)}",namespace="${esc(l.namespace)}",pod="${esc(l.pod)}"`;
  const key = `${base},pod_uid="${esc(l.podUID)}",probe_type="${kind}",result="${ok ? 'successful' : 'failed'}"`;
  totals.set(key, (totals.get(key) ?? 0) + 1);
  const dkey = `${base},probe_type="${kind}"`;
  const mine = durations.get(l.podUID) ?? new Map();
  durations.set(l.podUID, mine);
  const d = mine.get(dkey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
  BUCKETS.forEach((b, i) => { if (seconds <= b) d.buckets[i]++; });
  d.sum += seconds;
  d.count++;
  mine.set(dkey, d);
}

/** Forgets a pod's series once it is gone (upstream deletes them with the probe workers). */
export function forgetProbes(podUID: string): void {
  for (const k of totals.keys()) if (k.includes(`pod_uid="${esc(podUID)}"`)) totals.delete(k);
  durations.delete(podUID);
}

export function renderProbeMetrics(): string {
  const lines = [
    '# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${startSeconds}`,
    '# HELP prober_probe_duration_seconds [ALPHA] Duration in seconds for a probe response.',
    '# TYPE prober_probe_duration_seconds histogram',
  ];
  for (const [k, d] of [...durations.values()].flatMap((m) => [...m])) {
    BUCKETS.forEach((b, i) => lines.push(`prober_probe_duration_seconds_bucket{${k},le="${b}"} ${d.buckets[i]}`));
    lines.push(`prober_probe_duration_seconds_bucket{${k},le="+Inf"} ${d.count}`, `prober_probe_duration_seconds_sum{${k}} ${d.sum}`, `prober_probe_duration_seconds_count{${k}} ${d.count}`);
  }
  lines.push('# HELP prober_probe_total [ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.', '# TYPE prober_probe_total counter');
  for (const [k, n] of totals) lines.push(`prober_probe_total{${k}} ${n}`);
  return `${lines.join('\n')}\n`;
}
