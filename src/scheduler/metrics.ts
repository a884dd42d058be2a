// The scheduler's Prometheus metrics, with upstream's names, labels and buckets
// (pkg/scheduler/metrics). Per-plugin durations are recorded for a sample of scheduling
// cycles only (upstream's pluginMetricsSamplePercent); everything observed per pod uses
// the cheap histograms of fast-metrics.ts, so timing costs far less than what it times.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram, type HistogramChild } from './fast-metrics.js';

const exponential = (start: number, factor: number, count: number) => Array.from({ length: count }, (_, i) => start * factor ** i);

/** Share of scheduling cycles whose plugin executions are timed (upstream: 10 %). */
export const PLUGIN_METRICS_SAMPLE_PERCENT = 10;

/** Timing hooks the framework calls; absent in unit tests. */
export interface FrameworkMetrics {
  extensionPoint(point: string, status: string, profile: string, seconds: number): void;
  plugin(plugin: string, point: string, status: string, seconds: number): void;
}

export class SchedulerMetrics implements FrameworkMetrics {
  readonly registry = new Registry();
  readonly pendingPods: Gauge<'queue'>;
  readonly scheduleAttempts: FastCounter;
  readonly attemptDuration: FastHistogram;
  readonly algorithmDuration: FastHistogram;
  readonly podSchedulingDuration: FastHistogram;
  readonly podSchedulingAttempts: FastHistogram;
  readonly extensionPointDuration: FastHistogram;
  readonly pluginDuration: FastHistogram;
  readonly preemptionAttempts: Counter;
  readonly preemptionVictims: Histogram;
  readonly queueIncoming: FastCounter;
  readonly cacheSize: Gauge<'type'>;
  // Children by label values in nested maps: the labels are long-lived strings whose hashes
  // V8 caches, where a joined key would be a new string hashed on every observation.
  private readonly pointChildren = new Map<string, Map<string, Map<string, HistogramChild>>>();
  private readonly pluginChildren = new Map<string, Map<string, Map<string, HistogramChild>>>();

  constructor(pending: () => Record<string, number>, cache: () => Record<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.',
      labelNames: ['queue'], registers,
      collect() { for (const [q, n] of Object.entries(pending())) this.set({ queue: q }, n); },
    });
    this.cacheSize = new Gauge({
      name: 'scheduler_cache_size', help: 'Number of nodes, pods, and assumed (bound) pods in the scheduler cache.', labelNames: ['type'], registers,
      collect() { for (const [t, n] of Object.entries(cache())) this.set({ type: t }, n); },
    });
    const r = this.registry;
    this.scheduleAttempts = new FastCounter('scheduler_schedule_attempts_total', 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', ['result', 'profile'], r);
    this.attemptDuration = new FastHistogram('scheduler_scheduling_attempt_duration_seconds', 'Scheduling attempt latency in seconds (scheduling algorithm + binding)', ['result', 'profile'], exponential(0.001, 2, 15), r);
    this.algorithmDuration = new FastHistogram('scheduler_scheduling_algorithm_duration_seconds', 'Scheduling algorithm latency in seconds', [], exponential(0.001, 2, 15), r);
    this.podSchedulingDuration = new FastHistogram('scheduler_pod_scheduling_sli_duration_seconds', 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.', ['attempts'], exponential(0.01, 2, 20), r);
    this.podSchedulingAttempts = new FastHistogram('scheduler_pod_scheduling_attempts', 'Number of attempts to successfully schedule a pod.', [], exponential(1, 2, 5), r);
    this.extensionPointDuration = new FastHistogram('scheduler_framework_extension_point_duration_seconds', 'Latency for running all plugins of a specific extension point.', ['extension_point', 'status', 'profile'], exponential(0.0001, 2, 12), r);
    this.pluginDuration = new FastHistogram('scheduler_plugin_execution_duration_seconds', 'Duration for running a plugin at a specific extension point.', ['plugin', 'extension_point', 'status'], exponential(0.00001, 1.5, 20), r);
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers });
    this.preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims', buckets: exponential(1, 2, 7), registers });
    this.queueIncoming = new FastCounter('scheduler_queue_incoming_pods_total', 'Number of pods added to scheduling queues by event and queue type.', ['queue', 'event'], r);
  }

  extensionPoint(point: string, status: string, profile: string, seconds: number): void {
    child(this.pointChildren, this.extensionPointDuration, point, status, profile).observe(seconds);
  }

  plugin(plugin: string, point: string, status: string, seconds: number): void {
    child(this.pluginChildren, this.pluginDuration, plugin, point, status).observe(seconds);
  }
}

/** The child of `h` for label values a, b, c (in its labelNames order), found without building a key. */
function child(m: Map<string, Map<string, Map<string, HistogramChild>>>, h: FastHistogram, a: string, b: string, c: string): HistogramChild {
  let mb = m.get(a);
  if (!mb) m.set(a, mb = new Map());
  let mc = mb.get(b);
  if (!mc) mb.set(b, mc = new Map());
  let x = mc.get(c);
  if (!x) mc.set(c, x = h.labels(a, b, c));
  return x;
}
